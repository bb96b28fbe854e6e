// The pure parts of the hub's metric store: folding samples into minute buckets, and the bucket width that keeps
// a long range under the chart's point budget.
import { describe, expect, it } from "vitest";
import { MINUTE_MS, bucketWidth, minuteBuckets, storedKey, storedValue } from "./metric-store.ts";

describe("minuteBuckets", () => {
  it("folds samples per name and minute into min, max, sum and count", () => {
    const m = 10 * MINUTE_MS;
    const buckets = minuteBuckets([
      { at: m + 1, values: { "cpu.total": 5 } },
      { at: m + 2, values: { "temp.cpu": 40 } },
      { at: m + 59_999, values: { "cpu.total": 1 } },
      { at: m + MINUTE_MS, values: { "cpu.total": 9 } },
    ]);
    expect(buckets).toEqual([
      { name: "cpu.total", minute: m, min: 1, max: 5, sum: 6, count: 2 },
      { name: "temp.cpu", minute: m, min: 40, max: 40, sum: 40, count: 1 },
      { name: "cpu.total", minute: m + MINUTE_MS, min: 9, max: 9, sum: 9, count: 1 },
    ]);
  });

  it("leaves out samples before the rollup retention", () => {
    const m = 10 * MINUTE_MS;
    expect(minuteBuckets([{ at: m - 1, values: { "cpu.total": 5 } }, { at: m, values: { "cpu.total": 7, "mem.used_pct": 50 } }], m)).toEqual([
      { name: "cpu.total", minute: m, min: 7, max: 7, sum: 7, count: 1 },
      { name: "mem.used_pct", minute: m, min: 50, max: 50, sum: 50, count: 1 },
    ]);
  });
});

describe("storedValue", () => {
  const values = { "x.cpu.total": 1, "cpu.total": 12.5, "disk./.used_pct": -0.25, "net.eth0.rx_bps": 1e21, "gpu.0.util": 3e-7, "temp.cpu": 40 };
  const stored = JSON.stringify(values);

  it("reads each metric of a stored sample as JSON.parse would, a name inside another name included", () => {
    for (const [name, value] of Object.entries(values)) expect(storedValue(stored, storedKey(name))).toBe(value);
  });

  it("has nothing for a metric the sample lacks", () => {
    expect(storedValue(stored, storedKey("cpu"))).toBeUndefined();
    expect(storedValue(stored, storedKey("total"))).toBeUndefined();
    expect(storedValue("{}", storedKey("cpu.total"))).toBeUndefined();
  });

  it("reads the JSON SQLite wrote for samples stored one row per value (REAL as 40.0)", () => {
    expect(storedValue('{"cpu.total":12.5,"temp.cpu":40.0}', storedKey("temp.cpu"))).toBe(40);
    expect(storedValue('{"cpu.total": 12.5 ,"temp.cpu":40.0}', storedKey("cpu.total"))).toBe(12.5);
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
