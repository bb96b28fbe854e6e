// The pure parts of the hub's metric store: folding samples into minute buckets, and the bucket width that keeps
// a long range under the chart's point budget.
import { describe, expect, it } from "vitest";
import { MINUTE_MS, bucketWidth, minuteBuckets } from "./metric-store.ts";

describe("minuteBuckets", () => {
  it("folds samples per name and minute into min, max, sum and count", () => {
    const m = 10 * MINUTE_MS;
    const buckets = minuteBuckets([
      { at: m + 1, name: "cpu.total", value: 5 },
      { at: m + 59_999, name: "cpu.total", value: 1 },
      { at: m + MINUTE_MS, name: "cpu.total", value: 9 },
      { at: m + 2, name: "temp.cpu", value: 40 },
    ]);
    expect(buckets).toEqual([
      { name: "cpu.total", minute: m, min: 1, max: 5, sum: 6, count: 2 },
      { name: "cpu.total", minute: m + MINUTE_MS, min: 9, max: 9, sum: 9, count: 1 },
      { name: "temp.cpu", minute: m, min: 40, max: 40, sum: 40, count: 1 },
    ]);
  });
});

describe("bucketWidth", () => {
  it("keeps a week of minutes at or under the point budget, in whole minutes", () => {
    const week = 7 * 24 * 60 * MINUTE_MS;
    for (const from of [0, 17 * MINUTE_MS + 5, 1_795_618_800_123]) {
      const width = bucketWidth(from, from + week, 1000);
      expect(width % MINUTE_MS).toBe(0);
      expect(Math.floor((from + week) / width) - Math.floor(from / width) + 1).toBeLessThanOrEqual(1000);
    }
    expect(bucketWidth(0, 30 * MINUTE_MS, 1000)).toBe(MINUTE_MS);
  });
});
