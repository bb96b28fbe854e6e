// The bench's latency arithmetic: nearest-rank percentiles and the closed-loop runner's bookkeeping.
import { describe, expect, it } from "vitest";
import { percentile, runLoad, summarize } from "./latency.ts";

describe("percentile", () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => 100 - i); // unsorted on purpose

  it("picks the nearest-rank sample", () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 90)).toBe(90);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile(oneToHundred, 100)).toBe(100);
    expect(percentile(oneToHundred, 0)).toBe(1);
  });

  it("rounds the rank up, so a single slow request shows in p99 of fewer than 100 samples", () => {
    const samples = [...Array.from({ length: 49 }, () => 1), 500];
    expect(percentile(samples, 99)).toBe(500);
    expect(percentile(samples, 50)).toBe(1);
  });

  it("returns the only sample of a single-sample set at every rank", () => {
    for (const p of [0, 1, 50, 99, 100]) expect(percentile([7], p)).toBe(7);
  });

  it("does not reorder the caller's array", () => {
    const samples = [3, 1, 2];
    percentile(samples, 50);
    expect(samples).toEqual([3, 1, 2]);
  });

  it("refuses no samples and ranks outside 0..100", () => {
    expect(() => percentile([], 50)).toThrow(/no samples/);
    expect(() => percentile([1], 101)).toThrow(/0\.\.100/);
    expect(() => percentile([1], Number.NaN)).toThrow(/0\.\.100/);
  });
});

describe("summarize", () => {
  it("reports count, percentiles, max and mean", () => {
    expect(summarize([4, 1, 3, 2])).toEqual({ count: 4, p50: 2, p90: 4, p95: 4, p99: 4, max: 4, mean: 2.5 });
  });
});

describe("runLoad", () => {
  it("sends every request once and never has more than `concurrency` in flight", async () => {
    const seen: number[] = [];
    let inFlight = 0;
    let peak = 0;
    const result = await runLoad({
      requests: 50,
      concurrency: 4,
      send: async (i) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setImmediate(r));
        seen.push(i);
        inFlight--;
      },
    });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(peak).toBe(4);
    expect(result).toMatchObject({ count: 50, concurrency: 4 });
    expect(result.throughput).toBeGreaterThan(0);
  });

  it("stops every worker on the first wrong answer and rejects once none is in flight", async () => {
    const sent: number[] = [];
    let inFlight = 0;
    await expect(
      runLoad({
        requests: 100,
        concurrency: 2,
        send: async (i) => {
          sent.push(i);
          inFlight++;
          await new Promise((r) => setImmediate(r));
          inFlight--;
          if (i === 3) throw new Error("unexpected body");
        },
      }),
    ).rejects.toThrow("unexpected body");
    expect(inFlight).toBe(0);
    expect(Math.max(...sent)).toBeLessThanOrEqual(4);
  });
});
