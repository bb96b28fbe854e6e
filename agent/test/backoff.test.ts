// Reconnect delays: full jitter inside a window that doubles from 1 s up to a 60 s cap.
import { describe, expect, it } from "vitest";
import { DEFAULT_BACKOFF, backoffDelay } from "../src/connection/backoff.ts";

describe("backoffDelay", () => {
  it("doubles the window each attempt from the 1 s base until the 60 s cap", () => {
    const top = (attempt: number) => backoffDelay(attempt, DEFAULT_BACKOFF, () => 0.999999);
    expect([1, 2, 3, 4, 5, 6, 7].map(top)).toEqual([999, 1999, 3999, 7999, 15999, 31999, 59999]);
    expect(top(8)).toBe(59999);
    expect(top(1_000)).toBe(59999);
  });

  it("spreads delays over the whole window (full jitter), starting at zero", () => {
    expect(backoffDelay(4, DEFAULT_BACKOFF, () => 0)).toBe(0);
    expect(backoffDelay(4, DEFAULT_BACKOFF, () => 0.5)).toBe(4000);
  });

  it("never leaves [0, cap) whatever the random source returns in [0, 1)", () => {
    for (let attempt = 1; attempt <= 40; attempt++) {
      const delay = backoffDelay(attempt);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(DEFAULT_BACKOFF.capMs);
      expect(Number.isInteger(delay)).toBe(true);
    }
  });

  it("treats attempts below 1 as the first", () => {
    expect(backoffDelay(0, { baseMs: 100, capMs: 1000 }, () => 0.5)).toBe(50);
  });
});
