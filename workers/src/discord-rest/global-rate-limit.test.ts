// Discord's global limit as DiscordLimits grants it: 50 sends per second across every lease, nothing during a
// global 429's hold, and a second once spent is never reopened by a caller whose clock lags.
import { describe, expect, it } from "vitest";
import { GLOBAL_PER_SECOND, GlobalRateLimit } from "./global-rate-limit.ts";

const T = 1_800_000_000_000;

describe("GlobalRateLimit", () => {
  it("grants at most 50 sends per second however they are asked for", () => {
    const limit = new GlobalRateLimit();
    const granted = [10, 10, 7, 10, 10, 10, 10].map((wanted, i) => limit.grant(T + i * 100, wanted).granted);
    expect(granted.reduce((a, b) => a + b, 0)).toBe(GLOBAL_PER_SECOND);
    expect(granted.at(-1)).toBe(0);
  });

  it("says how long granted sends stay good and when a spent second ends", () => {
    const limit = new GlobalRateLimit(3);
    expect(limit.grant(T + 250, 3)).toEqual({ granted: 3, validForMs: 750, retryInMs: 0 });
    expect(limit.grant(T + 400, 1)).toEqual({ granted: 0, validForMs: 0, retryInMs: 600 });
    expect(limit.grant(T + 1000, 5)).toMatchObject({ granted: 3, validForMs: 1000 });
  });

  it("does not reopen a spent second for a caller whose clock lags", () => {
    const limit = new GlobalRateLimit(2);
    limit.grant(T + 1500, 2);
    expect(limit.grant(T + 900, 2).granted).toBe(0);
  });

  it("holds everyone after a global 429 until its retry_after", () => {
    const limit = new GlobalRateLimit();
    limit.hold(T + 2500);
    expect(limit.grant(T, 10)).toEqual({ granted: 0, validForMs: 0, retryInMs: 2500 });
    expect(limit.heldUntilAt(T)).toBe(T + 2500);
    expect(limit.grant(T + 2500, 10).granted).toBe(10);
  });
});
