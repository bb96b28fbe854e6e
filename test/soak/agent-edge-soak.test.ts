// Soak: the real agent behind a TCP proxy that cuts the link at random (seeded) moments, the whole edge restarted
// once on the same data dir and port, read-only jobs sent meanwhile. Afterwards every sample the agent produced is
// stored exactly once (checked against the agent's own spool) and no job ran twice (counted at the probed server).
// Several minutes in `npm test` (the issue's soak); SOAK_SECONDS=600 (and SOAK_SEED) to run it longer by hand.
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../stack.ts";
import { type AgentProcess, readSpool, startAgentProcess } from "./agent-process.ts";
import { type JobAnswer, type LiveViewer, createAgent, openLiveViewer, readJob, readRawSeries, runJob, signInOwner } from "./edge-session.ts";
import { startTcpProxy } from "./tcp-proxy.ts";
import { seededRandom } from "../seeded-random.ts";

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 180);
const SEED = Number(process.env.SOAK_SEED ?? 20261125);
/** A metric every Linux host reports in every sample (from /proc/meminfo). */
const METRIC = "mem.used_pct";
/** Long enough for the agent's backoff after several quick drops (it doubles up to 60 s). */
const RECONNECT_TIMEOUT_MS = 75_000;


/** The service the host.probe_url jobs look at: counts requests per path, and each job probes a path of its own. */
async function startProbeTarget() {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    hits.set(req.url ?? "", (hits.get(req.url ?? "") ?? 0) + 1);
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: (p: string) => hits.get(p) ?? 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A pause in the soak's schedule (the workload's pacing), never used to wait for something to happen. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(200);
  }
}

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

it(`keeps every metrics sample exactly once and runs no job twice through link cuts and an edge restart (${SOAK_SECONDS} s, seed ${SEED})`, async () => {
  const random = seededRandom(SEED);
  const dataDir = tempDir("nebula-soak-edge-");
  const spoolDir = tempDir("nebula-soak-spool-");
  let stack: LocalStack | null = await startLocalStack({ dataDir });
  const port = stack.port;
  const session = await signInOwner(stack.url, stack.bootstrapUrl);
  const { agentId, token } = await createAgent(session, "soak-box");
  const proxy = await startTcpProxy({ host: "127.0.0.1", port });
  const probe = await startProbeTarget();
  const agent: AgentProcess = startAgentProcess({ edgeUrl: proxy.url, token, spoolDir, dockerSocket: path.join(spoolDir, "no-docker.sock") });
  const connected = (line: { msg: string }) => line.msg === "connected to the edge";
  let viewer: LiveViewer | null = null;
  const jobs: { path: string; answer: JobAnswer | null; failure: string | null }[] = [];
  /** Every batch ever seen in the spool, by seq: acked segments are deleted, so it is read as the soak goes. */
  const produced = new Map<number, number[]>();
  const tally = { cuts: 0, cutConnections: 0, restarts: 0, viewerReopened: 0 };
  const recordSpool = () => {
    for (const batch of readSpool(spoolDir).batches) {
      if (!produced.has(batch.seq)) produced.set(batch.seq, batch.samples.filter((s) => METRIC in s.values).map((s) => s.at));
    }
  };
  const spoolTimer = setInterval(recordSpool, 1000);

  try {
    await agent.waitForLog(connected, 1, 30_000);
    // Watching live switches the agent to 2 s samples: many batches in a short soak.
    viewer = await openLiveViewer(session, agentId);

    const soakEnds = Date.now() + SOAK_SECONDS * 1000;
    const restartAt = Date.now() + (SOAK_SECONDS * 1000) / 2;
    let edgeUp = true;

    // A browser reopens its live view when the edge drops it; so does this one (any Worker reload drops it too).
    const watchLoop = (async () => {
      while (Date.now() < soakEnds) {
        await pause(500);
        if (!edgeUp || (viewer && !viewer.closed)) continue;
        try {
          viewer = await openLiveViewer(session, agentId);
          tally.viewerReopened++;
        } catch {
          // The edge is between stop and start; try again on the next round.
        }
      }
    })();

    // Jobs: a host.probe_url every 2–5 s, each at a URL of its own, whatever state the link is in.
    const jobLoop = (async () => {
      for (let n = 0; Date.now() < soakEnds; n++) {
        await pause(2000 + random() * 3000);
        const probePath = `/job-${n}`;
        const entry: (typeof jobs)[number] = { path: probePath, answer: null, failure: null };
        jobs.push(entry);
        if (!edgeUp) {
          entry.failure = "edge restarting";
          continue;
        }
        try {
          entry.answer = await runJob(session, agentId, { kind: "host.probe_url", params: { kind: "http", url: `${probe.url}${probePath}`, timeoutMs: 2000 }, timeoutMs: 5000 });
        } catch (err) {
          entry.failure = err instanceof Error ? err.message : String(err);
        }
      }
    })();

    // Cuts at random moments, and one edge restart half way.
    while (Date.now() < soakEnds) {
      await pause(4000 + random() * 8000);
      if (tally.restarts === 0 && Date.now() >= restartAt) {
        edgeUp = false;
        await viewer?.close();
        await stack.stop();
        stack = null;
        stack = await startLocalStack({ dataDir, port });
        edgeUp = true;
        tally.restarts++;
        const before = agent.logs().filter(connected).length;
        await agent.waitForLog(connected, before + 1, RECONNECT_TIMEOUT_MS);
        continue;
      }
      tally.cuts++;
      tally.cutConnections += proxy.cut();
    }
    await Promise.all([jobLoop, watchLoop]);

    // Settle: the link is up and the hub has acked the agent's last batch.
    await until("the agent to reconnect", () => proxy.open > 0 && agent.logs().filter(connected).length > tally.restarts, RECONNECT_TIMEOUT_MS);
    await until(
      "the hub to ack the agent's last batch",
      () => {
        const spool = readSpool(spoolDir);
        const last = spool.batches.at(-1)?.seq ?? 0;
        return last > 0 && spool.ackedSeq === last;
      },
      RECONNECT_TIMEOUT_MS,
    );
    await viewer?.close();
    expect(await agent.stop()).toBe(0);
    recordSpool();
    clearInterval(spoolTimer);

    // What the agent produced: batches 1..last with none missing from our record of its spool.
    const seqs = [...produced.keys()].sort((a, b) => a - b);
    const lastSeq = seqs.at(-1) ?? 0;
    expect(seqs).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
    const { ackedSeq } = readSpool(spoolDir);
    const sampleTimes = seqs.flatMap((seq) => produced.get(seq) ?? []);
    const ackedTimes = seqs.filter((seq) => seq <= ackedSeq).flatMap((seq) => produced.get(seq) ?? []);
    expect(sampleTimes.length, `every batch carries ${METRIC}`).toBe(seqs.reduce((n, seq) => n + (produced.get(seq)?.length ? 1 : 0), 0));

    // What the hub stored: each produced sample once, in seq order with no gap. A batch sent as the agent stopped
    // may be stored though its ack arrived too late to be recorded, so the stored run may go past the ack.
    const points = (await readRawSeries(session, agentId, METRIC)).map((p) => p.t);
    expect(new Set(points).size, "no timestamp stored twice").toBe(points.length);
    expect(points.length).toBeGreaterThanOrEqual(ackedTimes.length);
    expect(points).toEqual(sampleTimes.slice(0, points.length));

    // Jobs: none ran twice; each that the API reports as succeeded ran exactly once.
    for (const job of jobs) {
      const hits = probe.hits(job.path);
      expect(hits, `${job.path} (${job.answer?.id ?? job.failure})`).toBeLessThanOrEqual(1);
      if (job.answer?.status === "succeeded") expect(hits, `${job.answer.id} succeeded`).toBe(1);
    }
    const sent = jobs.filter((j) => j.answer?.id);
    for (const job of sent) {
      const final = await readJob(session, job.answer?.id as string);
      if (final.status === "succeeded") expect(probe.hits(job.path), `${final.id} succeeded`).toBe(1);
    }
    expect(new Set(sent.map((j) => j.answer?.id)).size).toBe(sent.length);

    const warnings = agent.logs().filter((l) => /spool was full|acked metrics beyond|corrupt/.test(l.msg));
    expect(warnings).toEqual([]);
    const byStatus = new Map<string, number>();
    for (const job of jobs) {
      const key = job.answer ? `${job.answer.httpStatus} ${[job.answer.status, job.answer.error?.code].filter(Boolean).join(" ")}` : `not sent: ${job.failure}`;
      byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
    }
    console.log(
      `[soak] ${SOAK_SECONDS} s, seed ${SEED}: ${tally.cuts} cuts (${tally.cutConnections} live connections cut), ${tally.restarts} edge restart, ` +
        `live view reopened ${tally.viewerReopened}×, ` +
        `${agent.logs().filter(connected).length} connections by the agent, ${lastSeq} batches / ${sampleTimes.length} samples produced, ` +
        `${points.length} stored, acked ${ackedSeq}; jobs: ${[...byStatus].map(([k, v]) => `${v}× ${k}`).join(", ")}`,
    );
    if (process.env.SOAK_DEBUG) console.log(agent.logs().map((l) => JSON.stringify(l)).join("\n"));
  } finally {
    clearInterval(spoolTimer);
    await viewer?.close();
    await agent.stop();
    await proxy.close();
    await probe.close();
    await stack?.stop();
  }
}, (SOAK_SECONDS + 200) * 1000);
