// The Discord bot product's pgSchema: linked guilds, tickets, notifications, feeds and analytics, in the same database.
import { pgSchema } from "drizzle-orm/pg-core";

export const discord = pgSchema("discord");
