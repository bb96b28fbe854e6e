// Where a guild's command registration with Discord stands: the bulk overwrite last asked for (generation), what
// Discord last accepted (a hash of the body, so an unchanged set is not sent again: Discord allows 200 command
// creates per guild per day), and the error when it refused.
import { integer, text } from "drizzle-orm/pg-core";
import { at, createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { discord } from "./columns.ts";

export const COMMAND_REGISTRATION_STATUSES = ["pending", "registered", "failed"] as const;

export const customCommandRegistrations = discord.table("custom_command_registrations", {
  guildId: text("guild_id").primaryKey(),
  tenantId: text("tenant_id")
    .notNull()
    .references(() => tenants.id, { onDelete: "cascade" }),
  status: text("status", { enum: COMMAND_REGISTRATION_STATUSES }).notNull().default("pending"),
  /** Bumped on every change; a queued registration of an older generation is skipped (debounce). */
  generation: integer("generation").notNull().default(0),
  registeredHash: text("registered_hash"),
  commandCount: integer("command_count").notNull().default(0),
  error: text("error"),
  requestedAt: at("requested_at"),
  registeredAt: at("registered_at"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
