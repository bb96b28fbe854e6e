// YouTube song requests on the wire: /api/t/:tenantId/streams/song-requests — the queue with what plays now and what
// played, adding by link or id, removing, reordering, skipping, clearing, and the rules (open, limits, chat commands).
import { z } from "zod";
import { SONG_REQUEST_SOURCES, SONG_REQUEST_STATUSES } from "../stream/song-requests.ts";

const isoDate = z.iso.datetime({ offset: true });

/** Why a request was refused; chat replies and the dashboard show the message, tools can branch on the reason. */
export const SONG_REFUSALS = ["closed", "invalid_link", "unavailable", "live", "not_embeddable", "age_restricted", "too_long", "duplicate", "user_limit", "queue_full"] as const;
export type SongRefusal = (typeof SONG_REFUSALS)[number];

export const SongRequestView = z.object({
  id: z.string(),
  videoId: z.string(),
  title: z.string(),
  channelTitle: z.string(),
  durationSeconds: z.number().int().nonnegative(),
  thumbnailUrl: z.string().nullable(),
  requestedBy: z.object({ name: z.string(), platform: z.enum(SONG_REQUEST_SOURCES) }),
  status: z.enum(SONG_REQUEST_STATUSES),
  requestedAt: isoDate,
  startedAt: isoDate.nullable(),
  endedAt: isoDate.nullable(),
});
export type SongRequestView = z.infer<typeof SongRequestView>;

export const SongRequestSettings = z.strictObject({
  /** Closed: nobody can add (chat or dashboard); what is queued still plays. */
  enabled: z.boolean(),
  /** !sr, !song, !skip and !wrongsong in chat; off leaves those names to custom commands. */
  commandsEnabled: z.boolean(),
  maxDurationSeconds: z.number().int().min(30).max(3 * 3600),
  /** Songs one chatter may have waiting at once (moderators and the dashboard are not limited). */
  perUserLimit: z.number().int().min(1).max(50),
  queueLimit: z.number().int().min(1).max(200),
});
export type SongRequestSettings = z.infer<typeof SongRequestSettings>;

export const DEFAULT_SONG_REQUEST_SETTINGS: SongRequestSettings = { enabled: true, commandsEnabled: true, maxDurationSeconds: 600, perUserLimit: 2, queueLimit: 50 };

export const SongQueueView = z.object({
  settings: SongRequestSettings,
  playing: SongRequestView.nullable(),
  /** Waiting, in play order. */
  queue: z.array(SongRequestView),
  /** The last songs that played, were skipped or removed, newest first. */
  history: z.array(SongRequestView),
  /** Bumped by every change to the queue. */
  revision: z.number().int().nonnegative(),
});
export type SongQueueView = z.infer<typeof SongQueueView>;

export const AddSongRequest = z.strictObject({
  /** A YouTube link (watch?v=, youtu.be/, shorts/, music.youtube.com) or an 11-character video id. */
  video: z.string().trim().min(1).max(300),
});
export type AddSongRequest = z.infer<typeof AddSongRequest>;

export const AddedSongRequest = z.object({
  request: SongRequestView,
  /** 0: it plays now; else its place among the waiting songs (1: next). */
  position: z.number().int().nonnegative(),
});
export type AddedSongRequest = z.infer<typeof AddedSongRequest>;

export const MoveSongRequest = z.strictObject({
  /** The new place among the waiting songs, 1 first; past the end means last. */
  position: z.number().int().min(1).max(1000),
});
export type MoveSongRequest = z.infer<typeof MoveSongRequest>;
