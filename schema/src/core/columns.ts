// Column helpers shared by every table: the core pgSchema and timestamps.
import { pgSchema, timestamp } from "drizzle-orm/pg-core";

export const core = pgSchema("core");

export const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
export const updatedAt = () => timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
export const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
