// When a now-playing poll is news: a new track, play/pause, a seek; not the position simply moving on.
import { describe, expect, it } from "vitest";
import type { CurrentlyPlaying } from "../platforms/spotify/spotify-client.ts";
import { SEEK_TOLERANCE_MS, markOf, nowPlayingEvent, playbackChanged } from "./now-playing-state.ts";

const song = (change: Partial<Extract<CurrentlyPlaying, { kind: "playing" }>> = {}): CurrentlyPlaying => ({
  kind: "playing",
  id: "track-1",
  title: "Starlight",
  artist: "Nebula Band",
  album: "Orbits",
  artUrl: "https://i.scdn.co/image/abc",
  isPlaying: true,
  progressMs: 10_000,
  durationMs: 200_000,
  ...change,
});
const nothing: CurrentlyPlaying = { kind: "nothing" };

describe("playbackChanged", () => {
  it("is news the first time, whatever plays", () => {
    expect(playbackChanged(undefined, song(), 0)).toBe(true);
    expect(playbackChanged(undefined, nothing, 0)).toBe(true);
  });

  it("is not news while the same track plays on at its pace, even by a few seconds of polling jitter", () => {
    const mark = markOf(song(), 1_000);
    expect(playbackChanged(mark, song({ progressMs: 15_000 }), 6_000)).toBe(false);
    expect(playbackChanged(mark, song({ progressMs: 15_000 + SEEK_TOLERANCE_MS - 1 }), 6_000)).toBe(false);
    expect(playbackChanged(markOf(nothing, 0), nothing, 5_000)).toBe(false);
  });

  it("is news on another track, on pause or resume, on a seek, and when playback stops or starts", () => {
    const mark = markOf(song(), 1_000);
    expect(playbackChanged(mark, song({ id: "track-2" }), 6_000)).toBe(true);
    expect(playbackChanged(mark, song({ isPlaying: false, progressMs: 15_000 }), 6_000)).toBe(true);
    expect(playbackChanged(mark, song({ progressMs: 90_000 }), 6_000)).toBe(true);
    expect(playbackChanged(mark, nothing, 6_000)).toBe(true);
    expect(playbackChanged(markOf(nothing, 0), song(), 5_000)).toBe(true);
    // Paused: the position stays put, so a paused track that has not moved is no news.
    expect(playbackChanged(markOf(song({ isPlaying: false }), 0), song({ isPlaying: false }), 60_000)).toBe(false);
  });

  it("tells local files (no id) apart by title and artist", () => {
    const mark = markOf(song({ id: null }), 0);
    expect(playbackChanged(mark, song({ id: null, progressMs: 15_000 }), 5_000)).toBe(false);
    expect(playbackChanged(mark, song({ id: null, title: "Other" }), 5_000)).toBe(true);
  });
});

describe("nowPlayingEvent", () => {
  it("carries the track as the renderer shows it, or null for nothing", () => {
    const at = new Date("2026-11-25T20:00:00.000Z");
    expect(nowPlayingEvent("spotify", song(), at)).toEqual({
      type: "now-playing",
      source: "spotify",
      track: { title: "Starlight", artist: "Nebula Band", album: "Orbits", artUrl: "https://i.scdn.co/image/abc", isPlaying: true, progressMs: 10_000, durationMs: 200_000 },
      at: "2026-11-25T20:00:00.000Z",
    });
    expect(nowPlayingEvent("spotify", nothing, at)).toEqual({ type: "now-playing", source: "spotify", track: null, at: "2026-11-25T20:00:00.000Z" });
  });
});
