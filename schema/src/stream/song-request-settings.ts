// One row per tenant: whether song requests are open, the chat commands on, and the queue's limits. The row is also the
// queue's lock (every change takes it FOR UPDATE) and carries the queue's revision, so the tenant's SongQueue Durable
// Object can tell a late report of an older queue from the current one.
import { boolean, integer, text } from "drizzle-orm/pg-core";
import { updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { stream } from "./columns.ts";

export const songRequestSettings = stream.table("song_request_settings", {
  tenantId: text("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  enabled: boolean("enabled").notNull().default(true),
  /** !sr, !song, !skip and !wrongsong in chat. */
  commandsEnabled: boolean("commands_enabled").notNull().default(true),
  maxDurationSeconds: integer("max_duration_seconds").notNull().default(600),
  perUserLimit: integer("per_user_limit").notNull().default(2),
  queueLimit: integer("queue_limit").notNull().default(50),
  /** Bumped by every change to the queue. */
  queueRevision: integer("queue_revision").notNull().default(0),
  updatedAt: updatedAt(),
});
