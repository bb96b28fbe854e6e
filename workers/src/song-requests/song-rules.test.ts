import { describe, expect, it } from "vitest";
import type { YouTubeSongVideo } from "../platforms/youtube/youtube-client.ts";
import { checkQueueRoom, playableSong, refusalOf, songLength } from "./song-rules.ts";

const ID = "dQw4w9WgXcQ";
const rules = { maxDurationSeconds: 600 };

function video(change: { live?: string; duration?: string; embeddable?: boolean; rating?: string; privacy?: string; upload?: string } = {}): YouTubeSongVideo {
  return {
    id: ID,
    snippet: { title: "Never Gonna", channelTitle: "Rick", liveBroadcastContent: change.live ?? "none", thumbnails: { high: { url: "https://i.ytimg.com/vi/x/hqdefault.jpg" } } },
    contentDetails: { duration: change.duration ?? "PT3M33S", ...(change.rating ? { contentRating: { ytRating: change.rating } } : {}) },
    status: { embeddable: change.embeddable ?? true, privacyStatus: change.privacy ?? "public", uploadStatus: change.upload ?? "processed" },
  };
}

const reasonOf = (work: () => unknown) => {
  try {
    work();
    return null;
  } catch (err) {
    return refusalOf(err);
  }
};

describe("playableSong", () => {
  it("keeps what a request stores", () => {
    expect(playableSong(ID, video(), rules)).toEqual({ videoId: ID, title: "Never Gonna", channelTitle: "Rick", durationSeconds: 213, thumbnailUrl: "https://i.ytimg.com/vi/x/hqdefault.jpg" });
  });

  it.each([
    ["no such video", null, "unavailable"],
    ["private", video({ privacy: "private" }), "unavailable"],
    ["still processing", video({ upload: "uploaded" }), "unavailable"],
    ["live", video({ live: "live", duration: "P0D" }), "live"],
    ["upcoming", video({ live: "upcoming", duration: "P0D" }), "live"],
    ["no length", video({ duration: "P0D" }), "live"],
    ["not embeddable", video({ embeddable: false }), "not_embeddable"],
    ["age-restricted", video({ rating: "ytAgeRestricted" }), "age_restricted"],
    ["too long", video({ duration: "PT10M1S" }), "too_long"],
  ] as const)("refuses a video that is %s", (_what, v, reason) => {
    expect(reasonOf(() => playableSong(ID, v, rules))).toBe(reason);
  });

  it("takes a song exactly as long as the limit", () => {
    expect(playableSong(ID, video({ duration: "PT10M" }), rules).durationSeconds).toBe(600);
  });
});

describe("checkQueueRoom", () => {
  const settings = { enabled: true, perUserLimit: 2, queueLimit: 3 };
  const room = { waiting: 0, mine: 0, duplicate: false };

  it("lets a request in while there is room", () => {
    expect(reasonOf(() => checkQueueRoom({ waiting: 2, mine: 1, duplicate: false }, settings, false))).toBeNull();
  });

  it("refuses closed requests, duplicates, a full queue and a viewer over the limit", () => {
    expect(reasonOf(() => checkQueueRoom(room, { ...settings, enabled: false }, true))).toBe("closed");
    expect(reasonOf(() => checkQueueRoom({ ...room, duplicate: true }, settings, true))).toBe("duplicate");
    expect(reasonOf(() => checkQueueRoom({ ...room, waiting: 3 }, settings, true))).toBe("queue_full");
    expect(reasonOf(() => checkQueueRoom({ ...room, mine: 2 }, settings, false))).toBe("user_limit");
  });

  it("moderators and the dashboard are not held to the per-viewer limit", () => {
    expect(reasonOf(() => checkQueueRoom({ ...room, mine: 2 }, settings, true))).toBeNull();
  });
});

describe("songLength", () => {
  it("reads like a player's clock", () => {
    expect(songLength(213)).toBe("3:33");
    expect(songLength(59)).toBe("0:59");
    expect(songLength(3723)).toBe("1:02:03");
  });
});
