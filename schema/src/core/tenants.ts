// A tenant: one homelab plus its communities; everything a user manages belongs to one.
import { text } from "drizzle-orm/pg-core";
import { core, createdAt, updatedAt } from "./columns.ts";

export const tenants = core.table("tenants", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
