// Spotify's currently-playing bodies as the overlay reads them: a track, a podcast episode, an ad (no item).
import { describe, expect, it } from "vitest";
import { playbackOf } from "./spotify-client.ts";

describe("playbackOf", () => {
  it("reads a track with its artists, album and a cover near 300 px", () => {
    const body = {
      timestamp: 1,
      is_playing: true,
      progress_ms: 42_000,
      currently_playing_type: "track",
      item: {
        type: "track",
        id: "4uLU6hMCjMI75M1A2tKUQC",
        name: "Never Gonna Give You Up",
        duration_ms: 213_573,
        artists: [{ name: "Rick Astley" }, { name: "Guest" }],
        album: { name: "Whenever You Need Somebody", images: [{ url: "https://i.scdn.co/640", width: 640, height: 640 }, { url: "https://i.scdn.co/300", width: 300, height: 300 }, { url: "https://i.scdn.co/64", width: 64, height: 64 }] },
      },
    };
    expect(playbackOf(body)).toEqual({
      kind: "playing",
      id: "4uLU6hMCjMI75M1A2tKUQC",
      title: "Never Gonna Give You Up",
      artist: "Rick Astley, Guest",
      album: "Whenever You Need Somebody",
      artUrl: "https://i.scdn.co/300",
      isPlaying: true,
      progressMs: 42_000,
      durationMs: 213_573,
    });
  });

  it("reads an episode as its show, and an ad or an unknown item as nothing", () => {
    const episode = { is_playing: false, progress_ms: 5, currently_playing_type: "episode", item: { type: "episode", id: "e1", name: "Ep. 1", duration_ms: 60_000, images: [{ url: "https://i.scdn.co/ep", width: 300, height: 300 }], show: { name: "The Show" } } };
    expect(playbackOf(episode)).toMatchObject({ kind: "playing", title: "Ep. 1", artist: "The Show", album: null, artUrl: "https://i.scdn.co/ep", isPlaying: false });
    expect(playbackOf({ is_playing: true, progress_ms: 1000, currently_playing_type: "ad", item: null })).toEqual({ kind: "nothing" });
    expect(playbackOf({ is_playing: true, item: { type: "audiobook", name: "?" } })).toEqual({ kind: "nothing" });
    expect(playbackOf(null)).toEqual({ kind: "nothing" });
  });
});
