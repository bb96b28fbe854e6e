// Gaps in a host's charts: where the host sent nothing for longer than a few sample intervals, the columns get a
// null row so uPlot breaks the line instead of drawing it straight across the time the agent was offline.
import { describe, expect, it } from "vitest";
import { breakGaps, stepOf } from "./metric-columns.ts";

const S = 1000;

describe("breakGaps", () => {
  it("leaves samples at the agent's interval as one line", () => {
    const timestamps = [0, 10 * S, 20 * S, 30 * S];
    expect(breakGaps(timestamps, [[1, 2, 3, 4]], stepOf("raw"))).toEqual({ timestamps, columns: [[1, 2, 3, 4]] });
  });

  it("puts a null row in a gap wider than 2.5 intervals, in every column, and only there", () => {
    const timestamps = [0, 10 * S, 20 * S, 600 * S, 610 * S];
    expect(breakGaps(timestamps, [[1, 2, 3, 4, 5], [9, null, 9, 9, 9]], stepOf("raw"))).toEqual({
      timestamps: [0, 10 * S, 20 * S, 310 * S, 600 * S, 610 * S],
      columns: [
        [1, 2, 3, null, 4, 5],
        [9, null, 9, null, 9, 9],
      ],
    });
  });

  it("keeps a gap of 2.5 intervals joined: a late or missed sample is not an outage", () => {
    const timestamps = [0, 10 * S, 35 * S, 45 * S];
    expect(breakGaps(timestamps, [[1, 2, 3, 4]], stepOf("raw")).timestamps).toEqual(timestamps);
  });

  it("measures gaps in the response's buckets: minutes for 24 hours, hours for 7 days", () => {
    const minutes = [0, 60 * S, 120 * S, 240 * S];
    expect(breakGaps(minutes, [[1, 2, 3, 4]], stepOf("1m")).timestamps).toEqual(minutes);
    expect(breakGaps([0, 60 * S, 120 * S, 300 * S], [[1, 2, 3, 4]], stepOf("1m")).timestamps).toEqual([0, 60 * S, 120 * S, 210 * S, 300 * S]);
    const hours = [0, 3600 * S, 7200 * S, 30_000 * S];
    expect(breakGaps(hours, [[1, 2, 3, 4]], stepOf("1h")).timestamps).toHaveLength(5);
  });

  it("follows an agent that reports less often than the default: its usual spacing is not a gap", () => {
    const timestamps = [0, 60 * S, 120 * S, 180 * S, 240 * S, 900 * S];
    expect(breakGaps(timestamps, [[1, 2, 3, 4, 5, 6]], stepOf("raw"))).toEqual({
      timestamps: [0, 60 * S, 120 * S, 180 * S, 240 * S, 570 * S, 900 * S],
      columns: [[1, 2, 3, 4, 5, null, 6]],
    });
  });

  it("handles no samples and a single one", () => {
    expect(breakGaps([], [[]], stepOf("raw"))).toEqual({ timestamps: [], columns: [[]] });
    expect(breakGaps([5], [[1]], stepOf("raw"))).toEqual({ timestamps: [5], columns: [[1]] });
  });
});
