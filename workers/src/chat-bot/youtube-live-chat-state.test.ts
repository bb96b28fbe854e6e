// The live-chat poller's rules: never faster than YouTube's pollingIntervalMillis (with a floor when a page names
// none), doubling backoff after failures up to five minutes, and which answers mean the chat is over.
import { describe, expect, it } from "vitest";
import { DEFAULT_INTERVAL_MS, MAX_BACKOFF_MS, MIN_INTERVAL_MS, backoffMs, chatIsOver, intervalOf } from "./youtube-live-chat-state.ts";

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
