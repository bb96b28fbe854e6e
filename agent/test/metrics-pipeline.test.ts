// The metrics pipeline as the hub sees it: offline samples are spooled and arrive in order once the link is back,
// each batch once per connection, acks free them, a restart resends what was never acked, and the tick interval
// follows set_interval. The clock is injected; ticks are driven directly or by fake timers.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { MetricsBatch, Sample, SpoolLoss } from "@nebula/schema/wire/agent";
import { MetricsBatch as MetricsBatchSchema, SpoolLoss as SpoolLossSchema } from "@nebula/schema/wire/agent";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type MetricsPipelineOptions, createMetricsPipeline } from "../src/metrics/pipeline.ts";
import { encodeRecord } from "../src/spool/spool-record.ts";
import { MetricsSpool } from "../src/spool/spool.ts";

const T0 = 1_700_000_000_000;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
  vi.useRealTimers();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nebula-pipeline-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The hub's side of the link: what arrived, in order, validated with the wire schemas. */
function fakeHub() {
  const received: (MetricsBatch | SpoolLoss)[] = [];
  let up = true;
  return {
    received,
    batches: () => received.filter((m): m is MetricsBatch => m.type === "metrics"),
    seqs: () => received.filter((m): m is MetricsBatch => m.type === "metrics").map((m) => m.seq),
    setUp(value: boolean) {
      up = value;
    },
    send(message: MetricsBatch | SpoolLoss): boolean {
      if (!up) return false;
      received.push(message.type === "metrics" ? MetricsBatchSchema.parse(message) : SpoolLossSchema.parse(message));
      return true;
    },
  };
}

/** A pipeline over a real spool; every tick is 10 s later on the injected clock and collects cpu.total = tick number. */
async function setup(dir: string, hub: ReturnType<typeof fakeHub>, options: Partial<MetricsPipelineOptions> = {}, spoolBytes?: number) {
  const spool = await MetricsSpool.open({ dir, maxBytes: spoolBytes, segmentBytes: spoolBytes ? Math.floor(spoolBytes / 4) : undefined });
  const clock = { ms: T0 };
  let n = 0;
  const pipeline = createMetricsPipeline({
    collect: async () => ({ "cpu.total": ++n }),
    spool,
    send: (m) => hub.send(m),
    now: () => clock.ms,
    maxInFlight: 4,
    ...options,
  });
  const ticks = async (count: number) => {
    for (let i = 0; i < count; i++) {
      clock.ms += 10_000;
      await pipeline.tick();
    }
    await pipeline.idle();
  };
  cleanup.push(() => spool.close(), () => pipeline.stop());
  return { spool, pipeline, ticks, clock };
}

describe("createMetricsPipeline", () => {
  it("spools while offline, then sends every batch once and in order, at most 4 unacked at a time", async () => {
    const hub = fakeHub();
    const { spool, pipeline, ticks } = await setup(tempDir(), hub);

    await ticks(10);
    expect(hub.received).toEqual([]);
    expect(spool.pendingBatches).toBe(10);

    pipeline.onConnected();
    await pipeline.idle();
    expect(hub.seqs()).toEqual([1, 2, 3, 4]);

    await pipeline.onAck(4);
    expect(hub.seqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await pipeline.onAck(8);
    await pipeline.onAck(10);
    expect(hub.seqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(hub.batches().map((b) => b.samples[0]?.values["cpu.total"])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(hub.batches()[0]?.samples[0]?.at).toBe(T0 + 10_000);
    expect(spool.pendingBatches).toBe(0);

    // Online, a new sample goes out on its own tick.
    await ticks(1);
    expect(hub.seqs().at(-1)).toBe(11);
  });

  it("replays everything unacked after the link drops and comes back", async () => {
    const hub = fakeHub();
    const { pipeline, ticks } = await setup(tempDir(), hub);
    pipeline.onConnected();
    await ticks(3);
    await pipeline.onAck(1);
    expect(hub.seqs()).toEqual([1, 2, 3]);

    hub.setUp(false);
    pipeline.onDisconnected();
    await ticks(2);
    hub.setUp(true);
    pipeline.onConnected();
    await pipeline.idle();

    expect(hub.seqs()).toEqual([1, 2, 3, 2, 3, 4, 5]);
  });

  it("keeps a batch the link refused and sends it after reconnecting", async () => {
    const hub = fakeHub();
    const { pipeline, ticks } = await setup(tempDir(), hub);
    pipeline.onConnected();
    hub.setUp(false); // the socket died before the link noticed
    await ticks(2);
    expect(hub.received).toEqual([]);

    hub.setUp(true);
    pipeline.onDisconnected();
    pipeline.onConnected();
    await pipeline.idle();
    expect(hub.seqs()).toEqual([1, 2]);
  });

  it("after an agent restart, resends the unacked batches and continues the seqs", async () => {
    const dir = tempDir();
    const hub = fakeHub();
    const before = await setup(dir, hub);
    await before.ticks(3);
    before.pipeline.onConnected();
    await before.pipeline.idle();
    await before.pipeline.onAck(1);
    await before.pipeline.stop();
    await before.spool.close();

    const after = await setup(dir, hub);
    after.pipeline.onConnected();
    await after.pipeline.idle();
    await after.ticks(1);

    expect(hub.seqs()).toEqual([1, 2, 3, 2, 3, 4]);
    expect(hub.batches().at(-1)?.samples[0]?.values).toEqual({ "cpu.total": 1 });
  });

  it("spools a partly filled batch on stop, so its samples are not lost", async () => {
    const dir = tempDir();
    const hub = fakeHub();
    const before = await setup(dir, hub, { samplesPerBatch: 6 });
    await before.ticks(4);
    await before.pipeline.stop();
    await before.spool.close();

    const after = await setup(dir, hub);
    after.pipeline.onConnected();
    await after.pipeline.idle();
    expect(hub.batches().map((b) => b.samples.map((s) => s.values["cpu.total"]))).toEqual([[1, 2, 3, 4]]);
  });

  it("reports a full spool's loss once, before the batches that survived", async () => {
    const hub = fakeHub();
    // Every batch the same size, so 4 segments of 4 records each is exactly what fits.
    const sample: Sample = { at: T0, values: { "cpu.total": 50 } };
    const recordBytes = encodeRecord(1, [sample]).bytes.length;
    const { pipeline, ticks } = await setup(tempDir(), hub, { maxInFlight: 100, collect: async () => sample.values }, recordBytes * 4 * 4);

    await ticks(20); // 16 fit; batches 1-4 are dropped
    pipeline.onConnected();
    await pipeline.idle();
    expect(hub.received[0]).toEqual({ type: "spool_loss", droppedBatches: 4, droppedSamples: 4, oldestDroppedAt: T0 + 10_000 });
    expect(hub.seqs()).toEqual(Array.from({ length: 16 }, (_, i) => i + 5));

    pipeline.onDisconnected();
    pipeline.onConnected();
    await pipeline.idle();
    expect(hub.received.filter((m) => m.type === "spool_loss")).toHaveLength(1);
  });
});

describe("createMetricsPipeline schedule", () => {
  /** An in-memory spool keeps every tick free of disk I/O, so only the fake clock decides when collections run. */
  function memorySpool() {
    let last = 0;
    return {
      ackedSeq: 0,
      append: async () => ++last,
      readFrom: async () => [],
      ack: async () => {},
      takeLoss: () => null,
      lossSent: async () => {},
    };
  }

  it("collects at once, then every 10 s; 2 s while live; back to 10 s when the link drops", async () => {
    vi.useFakeTimers({ now: T0 });
    let collections = 0;
    const pipeline = createMetricsPipeline({
      collect: async () => ({ "cpu.total": ++collections }),
      spool: memorySpool(),
      send: () => true,
    });
    cleanup.push(() => pipeline.stop());

    pipeline.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(collections).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(collections).toBe(2);

    await vi.advanceTimersByTimeAsync(3_000);
    pipeline.setInterval(2);
    expect(pipeline.intervalSeconds).toBe(2);
    // The last tick was 3 s ago, so going live collects at once and then every 2 s.
    await vi.advanceTimersByTimeAsync(0);
    expect(collections).toBe(3);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(collections).toBe(6);

    pipeline.onDisconnected();
    expect(pipeline.intervalSeconds).toBe(10);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(collections).toBe(6);
    await vi.advanceTimersByTimeAsync(1);
    expect(collections).toBe(7);

    await pipeline.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(collections).toBe(7);
  });

  it("skips a tick while the previous collection still runs rather than stacking them", async () => {
    vi.useFakeTimers({ now: T0 });
    let started = 0;
    let release: () => void = () => {};
    const pipeline = createMetricsPipeline({
      collect: () => {
        started++;
        return new Promise((resolve) => {
          release = () => resolve({ "cpu.total": 1 });
        });
      },
      spool: memorySpool(),
      send: () => true,
    });
    pipeline.start();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(started).toBe(1);
    release();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(started).toBe(2);
    release();
    await pipeline.stop();
  });
});
