// Now Playing and presence on the wire: a guild's Plex webhook settings (/api/t/:tenantId/discord/guilds/:guildId/
// now-playing), what is playing right now, and Lanyard presence of the tenant's members (/discord/presence).
import { z } from "zod";

const isoDate = z.iso.datetime({ offset: true });
const snowflake = z.string().regex(/^\d{5,25}$/);
/** Plex account and library names as Plex shows them; matched case-insensitively. */
const plexName = z.string().trim().min(1).max(100);

export const PLAYBACK_STATES = ["playing", "paused"] as const;
export type PlaybackState = (typeof PLAYBACK_STATES)[number];

/** One Plex player's current item, as the board shows it. */
export const NowPlayingSession = z.object({
  /** Plex player uuid (or title) + account: one line per player. */
  key: z.string(),
  state: z.enum(PLAYBACK_STATES),
  account: z.string(),
  player: z.string(),
  /** movie, episode, track, … (Metadata.type). */
  mediaType: z.string(),
  title: z.string(),
  /** The show (episodes) or the artist (tracks). */
  grandparentTitle: z.string().nullable(),
  /** The season (episodes) or the album (tracks). */
  parentTitle: z.string().nullable(),
  library: z.string().nullable(),
  year: z.number().int().nullable(),
  durationMs: z.number().int().nullable(),
  offsetMs: z.number().int().nullable(),
  /** Epoch ms of the last Plex event for this player. */
  updatedAt: z.number().int(),
});
export type NowPlayingSession = z.infer<typeof NowPlayingSession>;

export const NowPlayingState = z.object({
  sessions: z.array(NowPlayingSession),
  /** Epoch ms of the last change; null before the first event. */
  updatedAt: z.number().int().nullable(),
});
export type NowPlayingState = z.infer<typeof NowPlayingState>;

export const NowPlayingSettingsRequest = z.strictObject({
  channelId: snowflake,
  enabled: z.boolean().default(true),
  plexUsers: z.array(plexName).max(50).default([]),
  libraries: z.array(plexName).max(50).default([]),
});

export const NowPlayingSettingsView = z.object({
  guildId: snowflake,
  channelId: snowflake,
  enabled: z.boolean(),
  plexUsers: z.array(z.string()),
  libraries: z.array(z.string()),
  /** When the current webhook URL was made; the URL itself is shown once, on create and on rotate. */
  tokenCreatedAt: isoDate,
  updatedAt: isoDate,
  current: NowPlayingState,
});
export type NowPlayingSettingsView = z.infer<typeof NowPlayingSettingsView>;

/** Answered on create and on rotate only: the URL to paste into Plex (Settings → Webhooks). Never shown again. */
export const NowPlayingSettingsWithUrl = NowPlayingSettingsView.extend({ webhookUrl: z.string() });
export type NowPlayingSettingsWithUrl = z.infer<typeof NowPlayingSettingsWithUrl>;

/** What the Plex receiver answers (Plex ignores it; it helps whoever tests the URL by hand). */
export const PlexHookAnswer = z.object({
  status: z.enum(["queued", "ignored", "filtered", "disabled"]),
  detail: z.string().optional(),
});
export type PlexHookAnswer = z.infer<typeof PlexHookAnswer>;

// ---- Lanyard presence ----

export const PRESENCE_STATUSES = ["online", "idle", "dnd", "offline"] as const;

export const PresenceActivity = z.object({
  name: z.string(),
  /** Discord activity type: 0 playing, 1 streaming, 2 listening, 3 watching, 4 custom, 5 competing. */
  type: z.number().int(),
  details: z.string().nullable(),
  state: z.string().nullable(),
});

export const SpotifyTrack = z.object({
  song: z.string(),
  artist: z.string(),
  album: z.string(),
  albumArtUrl: z.string().nullable(),
  trackId: z.string().nullable(),
});
export type SpotifyTrack = z.infer<typeof SpotifyTrack>;

/** One Discord account's presence; `monitored: false` when the account is not in Lanyard's Discord server. */
export const Presence = z.object({
  discordId: snowflake,
  monitored: z.boolean(),
  status: z.enum(PRESENCE_STATUSES).nullable(),
  activities: z.array(PresenceActivity),
  spotify: SpotifyTrack.nullable(),
});
export type Presence = z.infer<typeof Presence>;

export const MemberPresence = Presence.extend({ userId: z.string(), name: z.string() });
export const MemberPresenceList = z.object({
  items: z.array(MemberPresence),
  /** Members without a linked Discord account (sign in with Discord to link one) are not listed. */
  unlinked: z.number().int(),
});
export type MemberPresenceList = z.infer<typeof MemberPresenceList>;
