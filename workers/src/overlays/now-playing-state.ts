// When a now-playing poll is news: the track, the play state or (by a seek) the position differs from what the last
// event told the renderers, which advance the progress on their own from that event. Pure, so it is tested in Node.
import type { overlayWire } from "@nebula/schema";
import type { CurrentlyPlaying } from "../platforms/spotify/spotify-client.ts";

/** What the last event said, to compare the next poll with. Null: it said "nothing playing". */
export type PlaybackMark = {
  key: string;
  isPlaying: boolean;
  progressMs: number | null;
  /** Epoch ms of that event. */
  at: number;
} | null;

/** A seek moves the position by more than this from where it should be; polling jitter stays well under it. */
export const SEEK_TOLERANCE_MS = 3_000;

const keyOf = (p: Extract<CurrentlyPlaying, { kind: "playing" }>) => p.id ?? `${p.title}\u0000${p.artist}`;

export function markOf(playback: CurrentlyPlaying, at: number): PlaybackMark {
  return playback.kind === "nothing" ? null : { key: keyOf(playback), isPlaying: playback.isPlaying, progressMs: playback.progressMs, at };
}

/** Whether `next` (polled at `now`) is news against the last event's mark; undefined: no event was ever sent. */
export function playbackChanged(last: PlaybackMark | undefined, next: CurrentlyPlaying, now: number): boolean {
  if (last === undefined) return true;
  if (last === null || next.kind === "nothing") return (last === null) !== (next.kind === "nothing");
  if (last.key !== keyOf(next) || last.isPlaying !== next.isPlaying) return true;
  if (last.progressMs === null || next.progressMs === null) return last.progressMs !== next.progressMs;
  const expected = last.progressMs + (last.isPlaying ? now - last.at : 0);
  return Math.abs(next.progressMs - expected) > SEEK_TOLERANCE_MS;
}

export function nowPlayingEvent(source: overlayWire.NowPlayingEvent["source"], playback: CurrentlyPlaying, at: Date): overlayWire.NowPlayingEvent {
  if (playback.kind === "nothing") return { type: "now-playing", source, track: null, at: at.toISOString() };
  const { title, artist, album, artUrl, isPlaying, progressMs, durationMs } = playback;
  return { type: "now-playing", source, track: { title, artist, album, artUrl, isPlaying, progressMs, durationMs }, at: at.toISOString() };
}
