// Metrics from a home agent: batches stored once by sequence number and acked cumulatively, read back as raw
// samples and minute rollups, pushed hourly to Postgres, forwarded to live viewers (who speed the agent up),
// spool losses recorded, and a silent agent noticed.
import { exports } from "cloudflare:workers";
import { agentWire, api, metricRollupsHourly } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { SILENCE_MS } from "../../src/agents/agent-hub.ts";
import { runInDurableObject } from "cloudflare:test";
import type { AgentHub } from "../../src/agents/agent-hub.ts";
import { HOUR_MS, MINUTE_MS, MetricStore } from "../../src/metrics/metric-store.ts";
import { seedAgent } from "../support/agents.ts";
import { type SeededTenant, asUser, seedTenant, url, withDb } from "../support/seed.ts";
import { connect, mustConnect } from "../support/sockets.ts";
import { advanceHubClock, connectAgent, hubNow, hubOf } from "./test-agent.ts";

let lab: SeededTenant;
let other: SeededTenant;
beforeAll(async () => {
  [lab, other] = await withDb(async (db) => [await seedTenant(db, "Metrics Lab"), await seedTenant(db, "Other Metrics Lab")]);
});

const newAgent = () => withDb((db) => seedAgent(db, lab.tenantId));
const sample = (at: number, values: Record<string, number>): agentWire.Sample => ({ at, values });

describe("metrics ingest", () => {
  it("stores each batch, acks it, and returns the samples as a raw series", async () => {
    const seeded = await newAgent();
    const agent = await connectAgent(seeded);
    const t = Date.now() - 60_000;
    expect(await agent.sendMetrics([sample(t, { "cpu.total": 12.5, "temp.cpu": 40 }), sample(t + 10_000, { "cpu.total": 30 })])).toBe(1);
    expect(await agent.sendMetrics([sample(t + 20_000, { "cpu.total": 7 })])).toBe(2);

    const [cpu, temp] = await hubOf(seeded.agentId).series(["cpu.total", "temp.cpu"], t - 1, t + 30_000, "raw");
    expect(cpu?.points.map((p) => [p.t, p.avg])).toEqual([
      [t, 12.5],
      [t + 10_000, 30],
      [t + 20_000, 7],
    ]);
    expect(temp?.points).toEqual([{ t, min: 40, max: 40, avg: 40, count: 1 }]);
    agent.close();
  });

  it("acks a replayed batch without storing it twice", async () => {
    const seeded = await newAgent();
    const agent = await connectAgent(seeded);
    const t = Date.now() - 60_000;
    const batch = [sample(t, { "cpu.total": 10 })];
    expect(await agent.sendMetrics(batch, 1)).toBe(1);
    expect(await agent.sendMetrics(batch, 1)).toBe(1);
    // A reconnect replays the spool from the start: still acked, still stored once.
    agent.close();
    const again = await connectAgent(seeded);
    expect(await again.sendMetrics(batch, 1)).toBe(1);
    const [cpu] = await hubOf(seeded.agentId).series(["cpu.total"], t - 1, t + 1, "raw");
    expect(cpu?.points).toHaveLength(1);
    again.close();
  });

  it("holds the cumulative ack at a gap until the missing batch arrives", async () => {
    const seeded = await newAgent();
    const agent = await connectAgent(seeded);
    const t = Date.now() - 60_000;
    expect(await agent.sendMetrics([sample(t, { "cpu.total": 1 })], 1)).toBe(1);
    expect(await agent.sendMetrics([sample(t + 30_000, { "cpu.total": 3 })], 3)).toBe(1);
    expect(await agent.sendMetrics([sample(t + 30_000, { "cpu.total": 3 })], 3)).toBe(1);
    expect(await agent.sendMetrics([sample(t + 20_000, { "cpu.total": 2 })], 2)).toBe(3);
    expect(await agent.sendMetrics([sample(t + 40_000, { "cpu.total": 4 })], 4)).toBe(4);

    const [cpu] = await hubOf(seeded.agentId).series(["cpu.total"], t - 1, t + 60_000, "raw");
    expect(cpu?.points.map((p) => p.avg)).toEqual([1, 2, 3, 4]);
    expect((await hubOf(seeded.agentId).status()).metrics).toMatchObject({ ackedSeq: 4, seqsAboveGap: 0 });
    agent.close();
  });

  it("keeps minute rollups (min, max, avg, count) and pushes whole hours to Postgres from the alarm", async () => {
    const seeded = await newAgent();
    const agent = await connectAgent(seeded);
    const now = await hubNow(seeded.agentId);
    const minute = Math.floor(now / HOUR_MS) * HOUR_MS; // the first minute of this hour
    await agent.sendMetrics([sample(minute + 1_000, { "cpu.total": 10 }), sample(minute + 20_000, { "cpu.total": 30 }), sample(minute + 40_000, { "cpu.total": 20 })]);
    await agent.sendMetrics([sample(minute + MINUTE_MS + 5_000, { "cpu.total": 100 }), sample(minute + 2 * MINUTE_MS, { "cpu.total": 0 })]);

    const [cpu] = await hubOf(seeded.agentId).series(["cpu.total"], minute, minute + 3 * MINUTE_MS, "1m");
    expect(cpu?.points).toEqual([
      { t: minute, min: 10, max: 30, avg: 20, count: 3 },
      { t: minute + MINUTE_MS, min: 100, max: 100, avg: 100, count: 1 },
      { t: minute + 2 * MINUTE_MS, min: 0, max: 0, avg: 0, count: 1 },
    ]);
    // Merged into wider buckets for a long range.
    const [merged] = await hubOf(seeded.agentId).series(["cpu.total"], minute, minute + 3 * MINUTE_MS, "1m", 3);
    expect(merged?.points).toEqual([{ t: minute, min: 0, max: 100, avg: 32, count: 5 }]);

    // Nothing reaches Postgres until the hour is over.
    await advanceHubClock(seeded.agentId, 0);
    const rowsOf = () => withDb((db) => db.select().from(metricRollupsHourly).where(eq(metricRollupsHourly.agentId, seeded.agentId)));
    expect(await rowsOf()).toEqual([]);
    await advanceHubClock(seeded.agentId, minute + HOUR_MS + MINUTE_MS - (await hubNow(seeded.agentId)));
    expect(await rowsOf()).toEqual([
      { tenantId: lab.tenantId, agentId: seeded.agentId, metric: "cpu.total", hour: new Date(minute), min: 0, max: 100, avg: 32, count: 5 },
    ]);
    agent.close();
  });

  it("records the spool's losses", async () => {
    const seeded = await newAgent();
    const agent = await connectAgent(seeded);
    const oldest = Date.now() - HOUR_MS;
    agent.send({ type: "spool_loss", droppedBatches: 3, droppedSamples: 90, oldestDroppedAt: oldest });
    agent.send({ type: "spool_loss", droppedBatches: 1, droppedSamples: 30, oldestDroppedAt: oldest + 1000 });
    await agent.sendMetrics([sample(Date.now(), { "cpu.total": 1 })]); // processed after both reports
    expect((await hubOf(seeded.agentId).status()).metrics.spoolLoss).toMatchObject({
      reports: 2,
      droppedBatches: 4,
      droppedSamples: 120,
      oldestDroppedAt: new Date(oldest + 1000).toISOString(),
    });
    agent.close();
  });

  it("keeps the raw samples of a hub that stored one row per value, after it moves to one row per sample", async () => {
    const seeded = await newAgent();
    const t = Date.now() - 60_000;
    const tables = await runInDurableObject(hubOf(seeded.agentId), (_hub: AgentHub, state) => {
      state.storage.sql.exec("CREATE TABLE raw_samples (at INTEGER NOT NULL, name TEXT NOT NULL, value REAL NOT NULL)");
      for (const [at, name, value] of [
        [t, "cpu.total", 12.5],
        [t, "temp.cpu", 40],
        [t + 10_000, "cpu.total", 30],
      ] as const)
        state.storage.sql.exec("INSERT INTO raw_samples (at, name, value) VALUES (?, ?, ?)", at, name, value);
      const store = new MetricStore(state.storage.sql);
      store.migrate();
      store.migrate(); // the next wake: nothing left to move
      return state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'raw%'").toArray();
    });
    expect(tables).toEqual([{ name: "raw_sample_values" }]);
    const [cpu, temp] = await hubOf(seeded.agentId).series(["cpu.total", "temp.cpu"], t - 1, t + 30_000, "raw");
    expect(cpu?.points.map((p) => [p.t, p.avg])).toEqual([
      [t, 12.5],
      [t + 10_000, 30],
    ]);
    expect(temp?.points).toEqual([{ t, min: 40, max: 40, avg: 40, count: 1 }]);
  });
});

describe("GET /api/t/:tenantId/agents/:id/metrics", () => {
  it("reads the last hour raw and the last day as minute rollups", async () => {
    const seeded = await newAgent();
    const agent = await connectAgent(seeded);
    const t = Date.now() - 5 * MINUTE_MS;
    await agent.sendMetrics([sample(t, { "cpu.total": 4, "mem.used_pct": 50 }), sample(t + 10_000, { "cpu.total": 8, "mem.used_pct": 52 })]);
    const read = async (range: string) => {
      const res = await exports.default.fetch(url(`/api/t/${lab.tenantId}/agents/${seeded.agentId}/metrics?names=cpu.total,mem.used_pct&range=${range}`), asUser(lab.members.viewer));
      expect(res.status).toBe(200);
      return api.MetricsResponse.parse(await res.json());
    };
    const hour = await read("1h");
    expect(hour.resolution).toBe("raw");
    expect(hour.series.map((s) => [s.name, s.points.map((p) => p.avg)])).toEqual([
      ["cpu.total", [4, 8]],
      ["mem.used_pct", [50, 52]],
    ]);
    const day = await read("24h");
    expect(day.resolution).toBe("1m");
    expect(day.series[0]?.points.reduce((n, p) => n + p.count, 0)).toBe(2);
    const week = await read("7d");
    expect(week.series[0]?.points.length).toBeLessThanOrEqual(api.MAX_SERIES_POINTS);
    expect((await read("30d")).resolution).toBe("1h");
    agent.close();
  });

  it("refuses bad metric names and another tenant's agent", async () => {
    const seeded = await newAgent();
    const bad = await exports.default.fetch(url(`/api/t/${lab.tenantId}/agents/${seeded.agentId}/metrics?names=DROP%20TABLE`), asUser(lab.members.viewer));
    expect(bad.status).toBe(400);
    const foreign = await exports.default.fetch(url(`/api/t/${other.tenantId}/agents/${seeded.agentId}/metrics?names=cpu.total`), asUser(other.members.owner));
    expect(foreign.status).toBe(404);
  });
});

describe("live view", () => {
  it("forwards batches to viewers and sets the agent's interval to 2 s while someone watches, 10 s after", async () => {
    const seeded = await newAgent();
    const agent = await connectAgent(seeded);
    const live = `/api/t/${lab.tenantId}/agents/${seeded.agentId}/live`;
    const viewer = await mustConnect(live, { cookie: lab.members.viewer.cookie });
    expect(await agent.next("set_interval")).toEqual({ type: "set_interval", seconds: agentWire.LIVE_METRICS_INTERVAL_SECONDS });
    const second = await mustConnect(live, { cookie: lab.members.owner.cookie });

    const batch = [sample(Date.now(), { "cpu.total": 42 })];
    await agent.sendMetrics(batch, 1);
    expect(await viewer.nextJson()).toEqual({ type: "metrics", seq: 1, samples: batch });
    expect(await second.nextJson()).toEqual({ type: "metrics", seq: 1, samples: batch });
    // A replay is not news to anyone watching.
    await agent.sendMetrics(batch, 1);
    expect(await agent.sendMetrics([sample(Date.now(), { "cpu.total": 43 })], 2)).toBe(2);
    expect(await viewer.nextJson()).toMatchObject({ seq: 2 });
    expect((await hubOf(seeded.agentId).status()).viewers).toBe(2);

    second.close();
    await second.closed;
    viewer.close();
    expect(await agent.next("set_interval")).toEqual({ type: "set_interval", seconds: agentWire.DEFAULT_METRICS_INTERVAL_SECONDS });
    // Only the last viewer leaving slowed it down.
    expect(agent.pending("set_interval")).toEqual([]);
    agent.close();
  });

  it("tells an agent that connects while someone watches to report every 2 s", async () => {
    const seeded = await newAgent();
    const viewer = await mustConnect(`/api/t/${lab.tenantId}/agents/${seeded.agentId}/live`, { cookie: lab.members.viewer.cookie });
    const agent = await connectAgent(seeded);
    expect(await agent.next("set_interval")).toEqual({ type: "set_interval", seconds: 2 });
    viewer.close();
    agent.close();
  });

  it("requires a member of the agent's tenant, and a websocket", async () => {
    const seeded = await newAgent();
    const path = `/api/t/${lab.tenantId}/agents/${seeded.agentId}/live`;
    expect((await connect(path)).response.status).toBe(401);
    expect((await connect(`/api/t/${other.tenantId}/agents/${seeded.agentId}/live`, { cookie: other.members.owner.cookie })).response.status).toBe(404);
    const plain = await exports.default.fetch(url(path), asUser(lab.members.viewer));
    expect(plain.status).toBe(426);
  });
});

describe("link state", () => {
  it("marks a silent agent offline from the alarm, shows it in GET /agents, and clears it on the next message", async () => {
    const seeded = await newAgent();
    const agent = await connectAgent(seeded);
    const listed = async () => {
      const res = await exports.default.fetch(url(`/api/t/${lab.tenantId}/agents`), asUser(lab.members.viewer));
      return api.AgentList.parse(await res.json()).items.find((a) => a.id === seeded.agentId);
    };
    const online = await listed();
    expect(online).toMatchObject({ connected: true, offline: false });
    expect(online?.onlineSince).not.toBeNull();

    await advanceHubClock(seeded.agentId, SILENCE_MS / 2);
    expect(await hubOf(seeded.agentId).status()).toMatchObject({ connected: true, offline: false });
    await advanceHubClock(seeded.agentId, SILENCE_MS);
    expect(await hubOf(seeded.agentId).status()).toMatchObject({ connected: true, offline: true });
    expect(await listed()).toMatchObject({ connected: true, offline: true });

    await agent.sendMetrics([sample(await hubNow(seeded.agentId), { "cpu.total": 1 })]);
    expect(await hubOf(seeded.agentId).status()).toMatchObject({ offline: false });

    agent.close();
    await agent.socket.closed;
    expect(await listed()).toMatchObject({ connected: false, onlineSince: null, offline: true });
  });
});
