// The Now Playing board's pure logic: applying a Plex event to the guild's state, dropping players Plex forgot to
// stop, and rendering the one embed that is edited in place. Kept out of the Durable Object so it tests in Node.
import type { api } from "@nebula/schema";
import type { DiscordMessage } from "../discord-rest/discord-rest.ts";
import type { Observation } from "./plex-payload.ts";

/** Discord: at most 25 fields per embed; a board with more players than this shows the most recent ones. */
export const MAX_SESSIONS = 10;
/** A player Plex never sent `stop` for (it crashed, lost network) is dropped this long after its item should end. */
export const STALE_GRACE_MS = 60 * 60_000;
/** …or, without a known duration, this long after its last event. */
export const STALE_UNKNOWN_MS = 6 * 3600_000;

export const EMPTY_STATE: api.NowPlayingState = { sessions: [], updatedAt: null };

function isStale(s: api.NowPlayingSession, now: number): boolean {
  if (s.durationMs === null) return now - s.updatedAt > STALE_UNKNOWN_MS;
  // A paused item does not advance, so it may sit for the whole unknown window.
  const remaining = s.state === "playing" ? Math.max(0, s.durationMs - (s.offsetMs ?? 0)) : STALE_UNKNOWN_MS;
  return now - s.updatedAt > remaining + STALE_GRACE_MS;
}

export function withoutStale(state: api.NowPlayingState, now: number): api.NowPlayingState {
  const sessions = state.sessions.filter((s) => !isStale(s, now));
  return sessions.length === state.sessions.length ? state : { sessions, updatedAt: now };
}

/** play/resume: playing; pause: paused; scrobble (watched past 90 %): unchanged state, new position; stop: gone. */
export function applyObservation(state: api.NowPlayingState, obs: Observation, now: number): api.NowPlayingState {
  const others = withoutStale(state, now).sessions.filter((s) => s.key !== obs.session.key);
  if (obs.event === "stop") return { sessions: others, updatedAt: now };
  const before = state.sessions.find((s) => s.key === obs.session.key);
  const playback: api.PlaybackState = obs.event === "pause" ? "paused" : obs.event === "scrobble" ? (before?.state ?? "playing") : "playing";
  // Most recent first, capped.
  return { sessions: [{ ...obs.session, state: playback }, ...others].slice(0, MAX_SESSIONS), updatedAt: now };
}

function clock(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(s).padStart(2, "0")}`;
}

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** The line naming the item: the show for episodes, the song for tracks, the title (year) for movies. */
export function headline(s: api.NowPlayingSession): string {
  if (s.mediaType === "episode") return s.grandparentTitle ?? s.title;
  if (s.mediaType === "movie" && s.year) return `${s.title} (${s.year})`;
  return s.title;
}

function detail(s: api.NowPlayingSession): string | null {
  if (s.mediaType === "episode") return [s.parentTitle, s.title].filter(Boolean).join(" · ");
  if (s.mediaType === "track") return [s.grandparentTitle, s.parentTitle].filter(Boolean).join(" — ") || null;
  return null;
}

export function sessionLines(s: api.NowPlayingSession): string {
  const lines = [detail(s), `${s.account} on ${s.player}`];
  if (s.durationMs) lines.push(`${clock(s.offsetMs ?? 0)} / ${clock(s.durationMs)}`);
  return cut(lines.filter(Boolean).join("\n"), 1024);
}

const COLOR = { playing: 0xe5a00d, paused: 0x99aab5, idle: 0x4f545c } as const;

/** The board's message: one field per player, or the "Nothing playing" state. Never mentions anyone. */
export function renderBoard(state: api.NowPlayingState, now: number): DiscordMessage {
  const { sessions } = withoutStale(state, now);
  const stamp = new Date(state.updatedAt ?? now).toISOString();
  if (sessions.length === 0) {
    return {
      embeds: [{ title: "Nothing playing", description: "Nothing is playing on Plex right now.", color: COLOR.idle, footer: { text: "Plex · Now Playing" }, timestamp: stamp }],
      allowed_mentions: { parse: [] },
    };
  }
  const anyPlaying = sessions.some((s) => s.state === "playing");
  return {
    embeds: [
      {
        title: "Now Playing",
        color: anyPlaying ? COLOR.playing : COLOR.paused,
        fields: sessions.map((s) => ({ name: cut(`${s.state === "playing" ? "▶️" : "⏸️"} ${headline(s)}`, 256), value: sessionLines(s) })),
        footer: { text: "Plex · Now Playing" },
        timestamp: stamp,
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

/** Where the board keeps a copy of its state for /nowplaying (the command must not import the Durable Object). */
export const stateCacheKey = (guildId: string) => `nowplaying:state:${guildId}`;
