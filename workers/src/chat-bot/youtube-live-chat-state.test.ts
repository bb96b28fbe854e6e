// The live-chat poller's rules: never faster than YouTube's pollingIntervalMillis (with a floor when a page names
// none), doubling backoff after failures up to five minutes, which answers mean the chat is over, and the stretch that
// keeps a day of chat reading inside the quota with 20% left for everything else.
import { describe, expect, it } from "vitest";
import { DEFAULT_INTERVAL_MS, MAX_BACKOFF_MS, MIN_INTERVAL_MS, backoffMs, chatIsOver, intervalOf, quotaBudgetedIntervalMs } from "./youtube-live-chat-state.ts";

describe("poll interval", () => {
  it("waits what YouTube asks, with a floor and a default", () => {
    expect(intervalOf(7321)).toBe(7321);
    expect(intervalOf(0)).toBe(MIN_INTERVAL_MS);
    expect(intervalOf(undefined)).toBe(DEFAULT_INTERVAL_MS);
  });

  it("backs off from the last interval, doubling, capped", () => {
    expect(backoffMs(1, 6000)).toBe(12_000);
    expect(backoffMs(2, 6000)).toBe(24_000);
    expect(backoffMs(12, 6000)).toBe(MAX_BACKOFF_MS);
    expect(backoffMs(1, null)).toBe(2 * DEFAULT_INTERVAL_MS);
  });
});

describe("the chat's end", () => {
  it("is liveChatEnded, liveChatDisabled, liveChatNotFound or a bare 404; not quota or rate errors", () => {
    expect(chatIsOver(403, "liveChatEnded")).toBe(true);
    expect(chatIsOver(403, "liveChatDisabled")).toBe(true);
    expect(chatIsOver(404, "liveChatNotFound")).toBe(true);
    expect(chatIsOver(404, null)).toBe(true);
    expect(chatIsOver(403, "rateLimitExceeded")).toBe(false);
    expect(chatIsOver(400, "pageTokenInvalid")).toBe(false);
    expect(chatIsOver(null, null)).toBe(false);
  });
});

describe("quota budget", () => {
  const HOUR = 3_600_000;
  const day = { limit: 10_000, now: 0 };

  it("a stream at the start of the quota day reads every 36 s instead of every 2 s: 8,000 units over 16 hours", () => {
    // 8,000 units for chat at 5 a read: 1,600 reads spread over 16 hours.
    expect(quotaBudgetedIntervalMs({ ...day, youtubeIntervalMs: 2000, used: 0, resetAt: 16 * HOUR })).toBe(36_000);
  });

  it("never reads sooner than YouTube asked, even with units to spare", () => {
    expect(quotaBudgetedIntervalMs({ ...day, youtubeIntervalMs: 5000, used: 0, resetAt: HOUR })).toBe(5000);
  });

  it("once chat's share is spent, waits for the reset (midnight Pacific) and leaves the reserve to the other features", () => {
    expect(quotaBudgetedIntervalMs({ ...day, youtubeIntervalMs: 2000, used: 8000, resetAt: 5 * HOUR })).toBe(5 * HOUR);
    expect(quotaBudgetedIntervalMs({ ...day, youtubeIntervalMs: 2000, used: 7996, resetAt: 5 * HOUR })).toBe(5 * HOUR);
  });

  it("read all day long, chat spends most of its share and never the reserve, while other features spend theirs", () => {
    let used = 0;
    let reads = 0;
    for (let now = 0; now < 24 * HOUR; reads++) {
      now += quotaBudgetedIntervalMs({ limit: 10_000, youtubeIntervalMs: 2000, used, now, resetAt: 24 * HOUR });
      if (now >= 24 * HOUR) break;
      used += 5;
      // A go-live check every read or so: one unit each.
      if (reads % 2 === 0) used += 1;
    }
    expect(used).toBeLessThanOrEqual(8000);
    expect(used).toBeGreaterThan(7000);
  });
});
