// Service probes in the samples, as a host owner relies on them: each configured service shows up or down with its
// latency on the metrics interval, a hung service costs the round at most its timeout and never the sample, rounds
// never pile up, and only a few probes run at once. A service gaming mode has stopped on purpose is not probed, so
// "service probe failing" never fires for it, while the user can still probe it by hand.
import { agentWire } from "@nebula/schema";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeService, startFakeService } from "../../test/fakes/homelab-services.ts";
import type { ProbeTarget } from "../src/config/config.ts";
import { GamingHolds } from "../src/gaming/gaming-holds.ts";
import { OFF } from "../src/gaming/gaming-state.ts";
import { hostHandlers } from "../src/host/host-handlers.ts";
import type { ProbeResult } from "../src/host/service-probe.ts";
import { PROBE_CONCURRENCY, type ProbeFn, probeMetrics } from "../src/metrics/probe-metrics.ts";
import { recordedJob } from "./support/job-context.ts";

const services: FakeService[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
});
async function service(spec: Parameters<typeof startFakeService>[0]) {
  const s = await startFakeService(spec);
  services.push(s);
  return s;
}

/** A probe function the test answers by hand, recording how many run at once. */
class HeldProbes {
  readonly calls: { url: string; signal: AbortSignal; answer: (r: ProbeResult) => void }[] = [];
  running = 0;
  maxRunning = 0;
  readonly fn: ProbeFn = (_kind, url, options) =>
    new Promise<ProbeResult>((resolve, reject) => {
      this.running++;
      this.maxRunning = Math.max(this.maxRunning, this.running);
      const done = () => this.running--;
      options.signal.addEventListener("abort", () => {
        done();
        reject(options.signal.reason);
      });
      this.calls.push({
        url,
        signal: options.signal,
        answer: (r) => {
          done();
          resolve(r);
        },
      });
    });

  /** Answers every call not yet answered as up, letting the round's workers pick up the next ones. */
  async answerAll(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const open = this.calls.splice(0);
      if (open.length === 0) return;
      for (const c of open) c.answer({ up: true, status: 200, latencyMs: 7, detail: "ok" });
      // Let the workers' awaits resume and start their next probes.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

const targets = (n: number): ProbeTarget[] => Array.from({ length: n }, (_, i) => ({ name: `svc${i}`, kind: "http", url: `http://127.0.0.1:${9000 + i}` }));

describe("probe metrics", () => {
  it("reports each real service up or down, with a latency only when something answered", async () => {
    const plex = await service({ kind: "plex", machineIdentifier: "abc123", version: "1.41.0" });
    const minio = await service({ kind: "minio", healthy: false });
    const hung = await service({ kind: "silent" });
    const gone = await service({ kind: "minio", healthy: true });
    await gone.close();
    const probes = probeMetrics(
      [
        { name: "plex", kind: "plex", url: plex.url },
        { name: "s3", kind: "minio", url: minio.url },
        { name: "hung", kind: "http", url: hung.url },
        { name: "gone", kind: "minio", url: gone.url },
      ],
      { timeoutMs: 300 },
    );

    // The first collection starts the round in the background: the sample is not held back by it.
    expect(probes.collect()).toEqual({});
    await probes.idle();
    const values = probes.collect();
    expect(values).toMatchObject({ "probe.plex.up": 1, "probe.s3.up": 0, "probe.hung.up": 0, "probe.gone.up": 0 });
    expect(values["probe.plex.latency_ms"]).toBeTypeOf("number");
    expect(values["probe.s3.latency_ms"]).toBeTypeOf("number");
    expect(Object.keys(values).sort()).toEqual(["probe.gone.up", "probe.hung.up", "probe.plex.latency_ms", "probe.plex.up", "probe.s3.latency_ms", "probe.s3.up"]);
    expect(plex.requests).toEqual(["/identity"]);
    // The names and values are ones the edge accepts in a metrics batch.
    expect(agentWire.Sample.safeParse({ at: Date.now(), values }).success).toBe(true);
    probes.stop();
  });

  it("starts a round once per resting interval, never while one is still running", async () => {
    const held = new HeldProbes();
    let now = 1_000_000;
    const probes = probeMetrics(targets(2), { timeoutMs: 5000, probe: held.fn, now: () => now });

    probes.collect();
    expect(held.calls).toHaveLength(2);
    // Live ticks every 2 s while the round hangs: no second round joins it.
    for (let i = 0; i < 10; i++) {
      now += 2000;
      probes.collect();
    }
    expect(held.calls).toHaveLength(2);
    await held.answerAll();
    await probes.idle();
    expect(probes.collect()).toEqual({ "probe.svc0.up": 1, "probe.svc0.latency_ms": 7, "probe.svc1.up": 1, "probe.svc1.latency_ms": 7 });
    // That collection was 20 s after the first round began, so it started the next one.
    expect(held.calls).toHaveLength(2);
    await held.answerAll();
    await probes.idle();

    // 2 s later (a live tick): too soon for another round; 10 s after the round began: due.
    now += 2000;
    probes.collect();
    expect(held.calls).toHaveLength(0);
    now += 8000;
    probes.collect();
    expect(held.calls).toHaveLength(2);
    probes.stop();
  });

  it(`runs at most ${PROBE_CONCURRENCY} probes at once and still probes every service in the round`, async () => {
    const held = new HeldProbes();
    const probes = probeMetrics(targets(10), { timeoutMs: 5000, probe: held.fn });
    probes.collect();
    expect(held.calls).toHaveLength(PROBE_CONCURRENCY);
    await held.answerAll();
    await probes.idle();
    expect(held.maxRunning).toBe(PROBE_CONCURRENCY);
    expect(Object.keys(probes.collect()).filter((k) => k.endsWith(".up"))).toHaveLength(10);
    probes.stop();
  });

  it("cancels a running round on stop and reports nothing after", async () => {
    const held = new HeldProbes();
    const probes = probeMetrics(targets(1), { timeoutMs: 5000, probe: held.fn });
    probes.collect();
    const [call] = held.calls;
    probes.stop();
    expect(call?.signal.aborted).toBe(true);
    await probes.idle();
    expect(probes.collect()).toEqual({});
  });

  it("reports nothing, and probes nothing, when no probes are configured", () => {
    const held = new HeldProbes();
    expect(probeMetrics([], { timeoutMs: 5000, probe: held.fn }).collect()).toEqual({});
    expect(held.calls).toEqual([]);
  });
});

describe("probe metrics while gaming mode holds containers stopped", () => {
  /** Gaming mode as it lends plex out: the switch holds it before Docker stops it, then the state file lists it. */
  async function lendPlexOut(holds: GamingHolds): Promise<void> {
    const release = await holds.beginSwitch();
    holds.holdContainer("plex");
    holds.record({ mode: "on", stoppedContainers: ["plex"], vmStartedByGaming: true, since: 1 });
    release();
  }

  it("leaves a paused probe out and sends its service no request until gaming mode gives the container back", async () => {
    const plex = await service({ kind: "plex", machineIdentifier: "abc123", version: "1.41.0" });
    const minio = await service({ kind: "minio", healthy: true });
    const holds = new GamingHolds({ pauseProbes: new Set(["plex"]) });
    let now = 1_000_000;
    const probes = probeMetrics(
      [
        { name: "plex", kind: "plex", url: plex.url },
        { name: "s3", kind: "minio", url: minio.url },
      ],
      { timeoutMs: 2000, now: () => now, paused: (probe) => holds.probePaused(probe) },
    );
    const nextRound = async () => {
      now += 10_000;
      probes.collect();
      await probes.idle();
      return probes.collect();
    };

    expect(await nextRound()).toMatchObject({ "probe.plex.up": 1, "probe.s3.up": 1 });
    expect(plex.requests).toEqual(["/identity"]);

    await lendPlexOut(holds);
    // The round from before the session is not reported for plex either: "unknown", neither up nor down.
    expect(Object.keys(probes.collect()).sort()).toEqual(["probe.s3.latency_ms", "probe.s3.up"]);
    for (let round = 0; round < 3; round++) expect(Object.keys(await nextRound()).sort()).toEqual(["probe.s3.latency_ms", "probe.s3.up"]);
    expect(plex.requests).toEqual(["/identity"]);
    expect(minio.requests).toHaveLength(4);

    holds.record({ ...OFF });
    expect(await nextRound()).toMatchObject({ "probe.plex.up": 1, "probe.s3.up": 1 });
    expect(plex.requests).toEqual(["/identity", "/identity"]);
    probes.stop();
  });

  it("drops what a probe saw when a pause began while it ran, even once the pause is over", async () => {
    const held = new HeldProbes();
    const holds = new GamingHolds({ pauseProbes: new Set(["svc0"]) });
    const probes = probeMetrics(targets(2), { timeoutMs: 5000, probe: held.fn, paused: (probe) => holds.probePaused(probe) });
    probes.collect();
    expect(held.calls).toHaveLength(2);

    // Gaming mode stops the container under the running probe; the probe then sees the service gone.
    await lendPlexOut(holds);
    for (const c of held.calls.splice(0)) c.answer({ up: false, status: null, latencyMs: 5000, detail: "unreachable: ECONNREFUSED" });
    await probes.idle();
    expect(probes.collect()).toEqual({ "probe.svc1.up": 0 });
    // Gaming mode gives the container back before the next round: the down svc0 saw was its doing, not news.
    holds.record({ ...OFF });
    expect(probes.collect()).toEqual({ "probe.svc1.up": 0 });
    expect(held.calls).toHaveLength(0);
    probes.stop();
  });

  it("pauses nothing while gaming mode holds no container, nor a probe it was not told to pause", async () => {
    const held = new HeldProbes();
    const holds = new GamingHolds({ pauseProbes: new Set(["svc0"]) });
    const probes = probeMetrics(targets(2), { timeoutMs: 5000, probe: held.fn, paused: (probe) => holds.probePaused(probe) });
    holds.record({ mode: "on", stoppedContainers: [], vmStartedByGaming: true, since: 1 });
    probes.collect();
    await held.answerAll();
    await probes.idle();
    expect(Object.keys(probes.collect()).filter((k) => k.endsWith(".up")).sort()).toEqual(["probe.svc0.up", "probe.svc1.up"]);
    probes.stop();
  });

  it("still probes the service when the user asks for it by name (host.probe)", async () => {
    const plex = await service({ kind: "plex", machineIdentifier: "abc123", version: "1.41.0" });
    const holds = new GamingHolds({ pauseProbes: new Set(["plex"]) });
    await lendPlexOut(holds);
    expect(holds.probePaused("plex")).toBe(true);

    const handlers = hostHandlers({ wolPort: 9, rebootAllowed: false, probes: [{ name: "plex", kind: "plex", url: plex.url }] });
    const result = await handlers["host.probe"]?.({ probe: "plex", timeoutMs: 2000 }, recordedJob("host.probe").ctx);
    expect(result).toMatchObject({ up: true, status: 200 });
    expect(plex.requests).toEqual(["/identity"]);
  });
});
