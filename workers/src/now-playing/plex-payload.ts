// Plex webhooks (https://support.plex.tv/articles/115002267687-webhooks/): a multipart/form-data POST whose `payload`
// field is JSON, plus a `thumb` JPEG part on some events, which we never read. Only the fields the board shows are
// parsed; Plex adds fields freely, so objects stay loose. Events other than media playback are acknowledged and ignored.
import type { api } from "@nebula/schema";
import { z } from "zod";

const text = (max: number) => z.string().max(max);
const count = z.number().int().min(0).max(1e12);

export const PlexPayload = z.looseObject({
  event: text(60),
  Account: z.looseObject({ title: text(200).optional() }).optional(),
  Player: z.looseObject({ title: text(200).optional(), uuid: text(200).optional() }).optional(),
  Metadata: z
    .looseObject({
      type: text(40).optional(),
      title: text(500).optional(),
      grandparentTitle: text(500).optional(),
      parentTitle: text(500).optional(),
      librarySectionTitle: text(200).optional(),
      year: z.number().int().min(0).max(9999).optional(),
      duration: count.optional(),
      viewOffset: count.optional(),
    })
    .optional(),
});
export type PlexPayload = z.infer<typeof PlexPayload>;

/** Plex's playback events, by the name the board uses. */
const PLAYBACK_EVENTS = {
  "media.play": "play",
  "media.resume": "resume",
  "media.pause": "pause",
  "media.stop": "stop",
  "media.scrobble": "scrobble",
} as const;
export type PlaybackEvent = (typeof PLAYBACK_EVENTS)[keyof typeof PLAYBACK_EVENTS];

/** One Plex event as the board applies it: what happened on which player, and the item. */
export interface Observation {
  event: PlaybackEvent;
  session: Omit<api.NowPlayingSession, "state">;
}

export function isPlaybackEvent(event: string): event is keyof typeof PLAYBACK_EVENTS {
  return Object.hasOwn(PLAYBACK_EVENTS, event);
}

/** null for events that are not playback (library.new, admin.database.backup, …). */
export function observationOf(payload: PlexPayload, now: number): Observation | null {
  if (!isPlaybackEvent(payload.event)) return null;
  const m = payload.Metadata ?? {};
  const account = payload.Account?.title?.trim() || "Someone";
  const player = payload.Player?.title?.trim() || "a Plex player";
  return {
    event: PLAYBACK_EVENTS[payload.event],
    session: {
      // One line per player and account: the same person on two devices is two lines.
      key: `${payload.Player?.uuid ?? player}|${account}`.slice(0, 300),
      account,
      player,
      mediaType: m.type ?? "unknown",
      title: m.title?.trim() || "Untitled",
      grandparentTitle: m.grandparentTitle?.trim() || null,
      parentTitle: m.parentTitle?.trim() || null,
      library: m.librarySectionTitle?.trim() || null,
      year: m.year ?? null,
      durationMs: m.duration ?? null,
      offsetMs: m.viewOffset ?? null,
      updatedAt: now,
    },
  };
}

/** Whether a guild's filters let this item through: empty lists allow everything; names match case-insensitively. */
export function passesFilters(session: Observation["session"], filters: { plexUsers: readonly string[]; libraries: readonly string[] }): boolean {
  const has = (list: readonly string[], value: string | null) => value !== null && list.some((v) => v.toLowerCase() === value.toLowerCase());
  if (filters.plexUsers.length > 0 && !has(filters.plexUsers, session.account)) return false;
  if (filters.libraries.length > 0 && !has(filters.libraries, session.library)) return false;
  return true;
}
