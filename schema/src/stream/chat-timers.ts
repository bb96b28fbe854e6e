// Chat timers: a message posted every N minutes, but only once M chat lines went by since its last post (so a quiet
// chat is not flooded by the bot). Their schedule lives in the tenant's ChatTimers Durable Object alarm.
import { boolean, index, integer, jsonb, text } from "drizzle-orm/pg-core";
import { createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { STREAM_PLATFORMS, type StreamPlatform } from "../discord/tracked-streamers.ts";
import { stream } from "./columns.ts";

export const chatTimers = stream.table(
  "chat_timers",
  {
    /** `ctm_…` */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    message: text("message").notNull(),
    intervalMinutes: integer("interval_minutes").notNull(),
    minLines: integer("min_lines").notNull().default(0),
    platforms: jsonb("platforms").$type<StreamPlatform[]>().notNull().default([...STREAM_PLATFORMS]),
    enabled: boolean("enabled").notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("chat_timers_tenant_idx").on(t.tenantId)],
);
