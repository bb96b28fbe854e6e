import { describe, expect, it } from "vitest";
import { sameSong, songNowPlayingEvent } from "./song-on-overlays.ts";
import type { PlayingSong } from "./song-requests.ts";

const song: PlayingSong = {
  id: "sng_0000000000000001",
  videoId: "dQw4w9WgXcQ",
  title: "Never Gonna",
  channelTitle: "Rick",
  durationSeconds: 200,
  thumbnailUrl: "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg",
  requestedBy: "ada",
  startedAt: "2026-11-25T20:00:00.000Z",
};

describe("songNowPlayingEvent", () => {
  it("shows the song as a now-playing track from YouTube, with how far it has played", () => {
    expect(songNowPlayingEvent(song, new Date("2026-11-25T20:01:12.000Z"))).toEqual({
      type: "now-playing",
      source: "youtube",
      track: { title: "Never Gonna", artist: "Rick", album: null, artUrl: song.thumbnailUrl, isPlaying: true, progressMs: 72_000, durationMs: 200_000, requestedBy: "ada" },
      at: "2026-11-25T20:01:12.000Z",
    });
  });

  it("keeps the progress within the song", () => {
    expect(songNowPlayingEvent(song, new Date("2026-11-25T19:59:00.000Z")).track?.progressMs).toBe(0);
    expect(songNowPlayingEvent(song, new Date("2026-11-25T21:00:00.000Z")).track?.progressMs).toBe(200_000);
  });

  it("nothing playing is a null track; a thumbnail that is no http(s) link is left out", () => {
    expect(songNowPlayingEvent(null, new Date(0)).track).toBeNull();
    expect(songNowPlayingEvent({ ...song, thumbnailUrl: "data:image/png;base64,AAAA" }, new Date(0)).track?.artUrl).toBeNull();
  });
});

describe("sameSong", () => {
  const at = new Date("2026-11-25T20:01:00.000Z");
  it("the same song later is the same; another song or nothing is not", () => {
    expect(sameSong(songNowPlayingEvent(song, at), songNowPlayingEvent(song, new Date(at.getTime() + 5_000)))).toBe(true);
    expect(sameSong(songNowPlayingEvent(song, at), songNowPlayingEvent({ ...song, title: "Other" }, at))).toBe(false);
    expect(sameSong(songNowPlayingEvent(song, at), songNowPlayingEvent(null, at))).toBe(false);
    expect(sameSong(songNowPlayingEvent(null, at), undefined)).toBe(true);
  });
});
