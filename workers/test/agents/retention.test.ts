// Retention in an agent's hub: raw samples are kept 24 h and minute rollups 7 days on the hub's clock; the alarm
// prunes what is older, and a batch arriving late stores only what is still within each retention.
import { beforeAll, describe, expect, it } from "vitest";
import { HOUR_MS, MINUTE_MS, RAW_RETENTION_MS, ROLLUP_RETENTION_MS } from "../../src/metrics/metric-store.ts";
import { seedAgent } from "../support/agents.ts";
import { type SeededTenant, seedTenant, withDb } from "../support/seed.ts";
import { advanceHubClock, connectAgent, hubNow, hubOf } from "./test-agent.ts";

let lab: SeededTenant;
beforeAll(async () => {
  lab = await withDb((db) => seedTenant(db, "Retention Lab"));
});

const newAgent = () => withDb((db) => seedAgent(db, lab.tenantId));
const WEEK_AND_A_DAY = ROLLUP_RETENTION_MS + 24 * HOUR_MS;

describe("metric retention", () => {
  it("prunes raw samples past 24 h and minute rollups past 7 days from the alarm, keeping newer ones", async () => {
    const seeded = await newAgent();
    const agent = await connectAgent(seeded);
    const hub = hubOf(seeded.agentId);
    const start = await hubNow(seeded.agentId);
    const minute = Math.floor(start / MINUTE_MS) * MINUTE_MS;
    const older = minute - 10 * MINUTE_MS; // ten minutes before `newer`, in an earlier minute
    const newer = minute;
    await agent.sendMetrics([
      { at: older, values: { "cpu.total": 1 } },
      { at: newer, values: { "cpu.total": 2 } },
    ]);
    const raw = async () => (await hub.series(["cpu.total"], older - 1, newer + 1, "raw"))[0]?.points.map((p) => [p.t, p.avg]);
    const minutes = async () => (await hub.series(["cpu.total"], older - 1, newer + 1, "1m"))[0]?.points.map((p) => [p.t, p.avg]);
    expect(await raw()).toEqual([
      [older, 1],
      [newer, 2],
    ]);

    // 24 h after `older` plus five minutes: its raw sample goes, `newer` (24 h less five minutes old) stays.
    await advanceHubClock(seeded.agentId, older + RAW_RETENTION_MS + 5 * MINUTE_MS - (await hubNow(seeded.agentId)));
    expect(await raw()).toEqual([[newer, 2]]);
    expect(await minutes()).toEqual([
      [older, 1],
      [newer, 2],
    ]);

    // Past 24 h for both, 7 days and five minutes for `older`'s minute: only `newer`'s minute rollup is left.
    await advanceHubClock(seeded.agentId, older + ROLLUP_RETENTION_MS + 5 * MINUTE_MS - (await hubNow(seeded.agentId)));
    expect(await raw()).toEqual([]);
    expect(await minutes()).toEqual([[newer, 2]]);

    await advanceHubClock(seeded.agentId, newer + ROLLUP_RETENTION_MS + MINUTE_MS - (await hubNow(seeded.agentId)));
    expect(await minutes()).toEqual([]);
    agent.close();
  });

  it("stores a late batch's samples only within each retention: raw under 24 h, rollups under 7 days", async () => {
    const seeded = await newAgent();
    const agent = await connectAgent(seeded);
    const hub = hubOf(seeded.agentId);
    const now = await hubNow(seeded.agentId);
    const recent = Math.floor((now - HOUR_MS) / MINUTE_MS) * MINUTE_MS;
    const dayOld = Math.floor((now - RAW_RETENTION_MS - HOUR_MS) / MINUTE_MS) * MINUTE_MS;
    const weekOld = Math.floor((now - WEEK_AND_A_DAY) / MINUTE_MS) * MINUTE_MS;
    await agent.sendMetrics([
      { at: weekOld, values: { "cpu.total": 3 } },
      { at: dayOld, values: { "cpu.total": 4 } },
      { at: recent, values: { "cpu.total": 5 } },
    ]);
    const [raw] = await hub.series(["cpu.total"], weekOld - 1, now, "raw");
    const [minutes] = await hub.series(["cpu.total"], weekOld - 1, now, "1m");
    expect(raw?.points.map((p) => [p.t, p.avg])).toEqual([[recent, 5]]);
    expect(minutes?.points.map((p) => [p.t, p.avg])).toEqual([
      [dayOld, 4],
      [recent, 5],
    ]);
    agent.close();
  });
});
