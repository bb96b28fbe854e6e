// The rules a song request must pass, pure so they are tested in Node: what YouTube says about the video (live,
// embeddable, age-restricted, its length) against the tenant's settings, and the queue's own limits. Each refusal has a
// reason for tools and a sentence a viewer reads in chat.
import type { api } from "@nebula/schema";
import { AppError } from "../errors/app-error.ts";
import { isoDurationSeconds } from "../platforms/youtube/iso-duration.ts";
import { type YouTubeSongVideo, bestThumbnail } from "../platforms/youtube/youtube-client.ts";

/** The facts of a video a request stores. */
export interface SongVideo {
  videoId: string;
  title: string;
  channelTitle: string;
  durationSeconds: number;
  thumbnailUrl: string | null;
}

/** "3:33", "1:02:03". */
export function songLength(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

const CODE: Record<api.SongRefusal, "BAD_REQUEST" | "CONFLICT"> = {
  closed: "CONFLICT",
  invalid_link: "BAD_REQUEST",
  unavailable: "BAD_REQUEST",
  live: "BAD_REQUEST",
  not_embeddable: "BAD_REQUEST",
  age_restricted: "BAD_REQUEST",
  too_long: "BAD_REQUEST",
  duplicate: "CONFLICT",
  user_limit: "CONFLICT",
  queue_full: "CONFLICT",
};

/** A refused request: the message is what the requester is told, in chat or on the dashboard. */
export function songRefused(reason: api.SongRefusal, message: string): AppError {
  return new AppError(CODE[reason], message, { details: { reason } });
}

/** The refusal's reason, or null when `err` is no refusal. */
export function refusalOf(err: unknown): api.SongRefusal | null {
  if (!(err instanceof AppError)) return null;
  const reason = (err.details as { reason?: unknown } | null)?.reason;
  return typeof reason === "string" && reason in CODE ? (reason as api.SongRefusal) : null;
}

/** The video as a request stores it, or the refusal. `video` null: YouTube has no such (public) video. */
export function playableSong(videoId: string, video: YouTubeSongVideo | null, settings: Pick<api.SongRequestSettings, "maxDurationSeconds">): SongVideo {
  const status = video?.status;
  if (!video || status?.privacyStatus === "private" || (status?.uploadStatus !== undefined && status.uploadStatus !== "processed")) {
    throw songRefused("unavailable", "That video is unavailable (private, deleted or not found).");
  }
  if (video.snippet.liveBroadcastContent !== "none") throw songRefused("live", "Live streams and premieres can't be requested.");
  if (status?.embeddable === false) throw songRefused("not_embeddable", "That video can't be played outside YouTube (its owner turned embedding off).");
  if (video.contentDetails?.contentRating?.ytRating === "ytAgeRestricted") throw songRefused("age_restricted", "Age-restricted videos can't be played here.");
  const durationSeconds = isoDurationSeconds(video.contentDetails?.duration ?? "");
  // A video with no length (P0D) is a stream that has not been processed into a video yet.
  if (durationSeconds === null || durationSeconds === 0) throw songRefused("live", "Live streams and premieres can't be requested.");
  checkLength(durationSeconds, settings);
  return { videoId, title: video.snippet.title, channelTitle: video.snippet.channelTitle, durationSeconds, thumbnailUrl: bestThumbnail(video.snippet.thumbnails) };
}

export function checkLength(durationSeconds: number, settings: Pick<api.SongRequestSettings, "maxDurationSeconds">): void {
  if (durationSeconds > settings.maxDurationSeconds) {
    throw songRefused("too_long", `That video is ${songLength(durationSeconds)} long; the limit is ${songLength(settings.maxDurationSeconds)}.`);
  }
}

/** What the queue holds when a request arrives. */
export interface QueueCounts {
  /** Songs waiting (not the one playing). */
  waiting: number;
  /** Of them, the requester's. */
  mine: number;
  /** The video is waiting or playing already. */
  duplicate: boolean;
}

/** The queue's own limits; `privileged` (moderators, the dashboard) are not held to the per-user limit. */
export function checkQueueRoom(counts: QueueCounts, settings: Pick<api.SongRequestSettings, "enabled" | "perUserLimit" | "queueLimit">, privileged: boolean): void {
  if (!settings.enabled) throw songRefused("closed", "Song requests are closed right now.");
  if (counts.duplicate) throw songRefused("duplicate", "That song is already in the queue.");
  if (counts.waiting >= settings.queueLimit) throw songRefused("queue_full", `The queue is full (${settings.queueLimit} songs).`);
  if (!privileged && counts.mine >= settings.perUserLimit) {
    throw songRefused("user_limit", `You already have ${counts.mine} ${counts.mine === 1 ? "song" : "songs"} waiting (the limit is ${settings.perUserLimit}).`);
  }
}
