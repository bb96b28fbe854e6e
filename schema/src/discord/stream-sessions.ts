// One row per stream session of a tracked streamer: the arbiter of "one notification per session, however many
// sources saw it". A session is keyed by the platform's stream id (Twitch stream id, YouTube video id, Kick start
// time) or, from Discord presence alone, a derived key; the partial unique index allows one open session per streamer,
// so two sources racing to report the same stream insert one row and one notification.
import { sql } from "drizzle-orm";
import { index, integer, text, uniqueIndex } from "drizzle-orm/pg-core";
import { at, createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { discord } from "./columns.ts";
import { STREAM_PLATFORMS, trackedStreamers } from "./tracked-streamers.ts";

export const streamSessions = discord.table(
  "stream_sessions",
  {
    /** `sss_…` */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    streamerId: text("streamer_id")
      .notNull()
      .references(() => trackedStreamers.id, { onDelete: "cascade" }),
    platform: text("platform", { enum: STREAM_PLATFORMS }).notNull(),
    /** The platform's stream id, or `presence:<member>:<start>` when only Discord presence saw it so far. */
    streamKey: text("stream_key").notNull(),
    startedAt: at("started_at").notNull(),
    endedAt: at("ended_at"),
    title: text("title").notNull().default(""),
    game: text("game").notNull().default(""),
    url: text("url").notNull().default(""),
    thumbnailUrl: text("thumbnail_url"),
    viewers: integer("viewers"),
    vodUrl: text("vod_url"),
    /** Which sources reported it (eventsub, poll, websub, kick, presence), in order of arrival. */
    sources: text("sources").array().notNull().default(sql`'{}'::text[]`),
    /** The outbox item that posted the notice; the end edit refers to it. */
    notificationOutboxId: text("notification_outbox_id"),
    endNotificationOutboxId: text("end_notification_outbox_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("stream_sessions_key_uq").on(t.streamerId, t.streamKey),
    uniqueIndex("stream_sessions_open_uq").on(t.streamerId).where(sql`${t.endedAt} is null`),
    index("stream_sessions_tenant_started_idx").on(t.tenantId, t.startedAt),
  ],
);
