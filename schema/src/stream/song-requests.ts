// YouTube song requests (Nightbot / StreamElements media share): a tenant's queue of videos requested from chat or the
// dashboard. At most one row per tenant is `playing`; it is what a now-playing layer with source "youtube" shows.
import { sql } from "drizzle-orm";
import { index, integer, text, uniqueIndex } from "drizzle-orm/pg-core";
import { at, createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { stream } from "./columns.ts";

/** queued → playing → played (ran out) or skipped; removed from the queue (or while playing) by a moderator or !wrongsong. */
export const SONG_REQUEST_STATUSES = ["queued", "playing", "played", "skipped", "removed"] as const;
export type SongRequestStatus = (typeof SONG_REQUEST_STATUSES)[number];

/** Where a request came from: a chat platform, or a member on the dashboard. */
export const SONG_REQUEST_SOURCES = ["twitch", "youtube", "kick", "dashboard"] as const;
export type SongRequestSource = (typeof SONG_REQUEST_SOURCES)[number];

export const songRequests = stream.table(
  "song_requests",
  {
    /** `sng_…` */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** YouTube's 11-character video id. */
    videoId: text("video_id").notNull(),
    title: text("title").notNull(),
    channelTitle: text("channel_title").notNull(),
    durationSeconds: integer("duration_seconds").notNull(),
    thumbnailUrl: text("thumbnail_url"),
    requestedByName: text("requested_by_name").notNull(),
    requestedByPlatform: text("requested_by_platform", { enum: SONG_REQUEST_SOURCES }).notNull(),
    /** The chatter's platform user id (per-user limit, !wrongsong), or the member's user id. */
    requestedById: text("requested_by_id").notNull(),
    status: text("status", { enum: SONG_REQUEST_STATUSES }).notNull().default("queued"),
    /** Order of the queued rows, ascending; kept on rows that left the queue. */
    position: integer("position").notNull(),
    createdAt: createdAt(),
    startedAt: at("started_at"),
    endedAt: at("ended_at"),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("song_requests_tenant_status_idx").on(t.tenantId, t.status, t.position),
    // One song plays at a time, and a video waits in a queue at most once.
    uniqueIndex("song_requests_one_playing_uq").on(t.tenantId).where(sql`${t.status} = 'playing'`),
    uniqueIndex("song_requests_video_waiting_uq").on(t.tenantId, t.videoId).where(sql`${t.status} in ('queued', 'playing')`),
  ],
);
