// Server analytics, counts only (never message content): one row per guild, UTC day, metric and key, where the key
// is the channel for `messages`, the command name for `commands`, and '' for `joins`/`leaves`. Counters are bumped
// with INSERT … ON CONFLICT DO UPDATE count = count + n, so concurrent consumers never lose an increment.
// analytics_events_seen makes counting exactly-once: an event id is inserted in the same statement that counts it,
// so a queue redelivery (at-least-once) or a replayed gateway dispatch counts nothing twice.
import { bigint, date, index, primaryKey, text } from "drizzle-orm/pg-core";
import { at } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { discord } from "./columns.ts";

export const ANALYTICS_METRICS = ["joins", "leaves", "messages", "commands"] as const;
export type AnalyticsMetric = (typeof ANALYTICS_METRICS)[number];

export const analyticsDaily = discord.table(
  "analytics_daily",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    guildId: text("guild_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    metric: text("metric", { enum: ANALYTICS_METRICS }).notNull(),
    key: text("key").notNull().default(""),
    count: bigint("count", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.day, t.metric, t.key] }), index("analytics_daily_tenant_idx").on(t.tenantId, t.guildId, t.day)],
);

/** Ids of events already counted; purged after ANALYTICS_SEEN_DAYS (longer than any queue retry or gateway replay). */
export const analyticsEventsSeen = discord.table(
  "analytics_events_seen",
  {
    eventId: text("event_id").primaryKey(),
    guildId: text("guild_id").notNull(),
    seenAt: at("seen_at").notNull().defaultNow(),
  },
  (t) => [index("analytics_events_seen_at_idx").on(t.seenAt)],
);
