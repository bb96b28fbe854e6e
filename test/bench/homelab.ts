// The homelab section of `npm run bench`: what the agent path costs on loopback. (a) a docker.list job's round trip
// through API → edge → agent → Docker API (podman) and back, minus Docker's own time; (b) the real agent at rest:
// RSS and CPU over 60 s; (c) samples per second one AgentHub stores from a websocket client acting as an agent;
// (d) Postgres queries by idle agents' hubs over the same 60 s (the simulated hours are
// workers/test/agents/idle-postgres.test.ts); (e) the whole deployment's Postgres queries over a simulated hour of cron
// triggers (12 of the 5-minute schedule, fired at simulated times) with the agents still connected.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Docker from "dockerode";
import WebSocket from "ws";
import { hubApplicationName } from "../../workers/src/agents/hub-application-name.ts";
import { type PodmanPeer, BUSYBOX_IMAGE, startPodman } from "../peers/podman.ts";
import { peerMissing } from "../peers/peers.ts";
import { type AgentProcess, AGENT_BUNDLE, AGENT_ENTRY, readSpool, startAgentProcess } from "../soak/agent-process.ts";
import { type OwnerSession, createAgent, runJob, signInOwner } from "../soak/edge-session.ts";
import { type LocalStack, startLocalStack } from "../stack.ts";
import { percentile, summarize } from "./latency.ts";
import { TICK_MS, cpuTicks } from "./process-cpu.ts";
import { type Goal, goal, goalAtLeast, ms } from "./report.ts";

const ROUND_TRIPS = 300;
const ROUND_TRIP_WARMUP = 20;
const REST_SECONDS = 60;
const INGEST_SECONDS = 10;
const INGEST_WINDOW = 8;
const INGEST_SAMPLES = 100;
const INGEST_VALUES = 20;
const GOALS = { overheadP50Ms: 10, overheadP99Ms: 30, rssBytes: 45_000_000, cpuPercent: 0.5, ingestSamplesPerSecond: 10_000 };

export interface HomelabResults {
  goals: Goal[];
  details: Record<string, [string, string][]>;
  notes: string[];
  json: Record<string, unknown>;
}

const until = async (what: string, check: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

// ---- (c) ingest ----------------------------------------------------------------------------------

interface IngestRun {
  batches: number;
  samples: number;
  values: number;
  elapsedMs: number;
  samplesPerSecond: number;
  valuesPerSecond: number;
  ackLatency: ReturnType<typeof summarize>;
}

/** A websocket client that is an agent as far as the hub can tell: hello, then batches as fast as acks allow. */
async function measureIngest(edgeUrl: string, token: string): Promise<IngestRun> {
  const ws = new WebSocket(`${edgeUrl.replace(/^http/, "ws")}/agent/connect`, { headers: { authorization: `Bearer ${token}` } });
  const messages: ((m: { type: string; seq?: number }) => void)[] = [];
  ws.on("message", (data) => {
    const text = String(data);
    if (text === "pong") return;
    const m = JSON.parse(text) as { type: string; seq?: number };
    for (const listener of messages) listener(m);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const helloAck = new Promise<void>((resolve) => messages.push((m) => m.type === "hello_ack" && resolve()));
  ws.send(JSON.stringify({ type: "hello", protocol: 1, agentVersion: "bench", hostname: "bench-ingest", os: "linux", arch: "x64", capabilities: [] }));
  await helloAck;

  const values: Record<string, number> = {};
  for (let v = 0; v < INGEST_VALUES; v++) values[`bench.m${String(v).padStart(2, "0")}`] = v * 1.5;
  // Samples from the last hour, each at its own millisecond; the hub keeps raw samples for 24 h.
  const base = Date.now() - 30 * 60_000;
  const sentAt = new Map<number, number>();
  const ackLatency: number[] = [];
  let next = 1;
  let acked = 0;
  let stopAt = Number.POSITIVE_INFINITY;
  const started = performance.now();
  stopAt = started + INGEST_SECONDS * 1000;
  const send = () => {
    while (next - 1 - acked < INGEST_WINDOW && performance.now() < stopAt) {
      const seq = next++;
      const samples = Array.from({ length: INGEST_SAMPLES }, (_, k) => ({ at: base + seq * INGEST_SAMPLES + k, values }));
      sentAt.set(seq, performance.now());
      ws.send(JSON.stringify({ type: "metrics", seq, samples }));
    }
  };
  const finished = new Promise<void>((resolve) => {
    messages.push((m) => {
      if (m.type !== "metrics_ack" || m.seq === undefined) return;
      for (let s = acked + 1; s <= m.seq; s++) {
        const at = sentAt.get(s);
        if (at !== undefined) ackLatency.push(performance.now() - at);
        sentAt.delete(s);
      }
      acked = Math.max(acked, m.seq);
      send();
      if (performance.now() >= stopAt && acked === next - 1) resolve();
    });
  });
  send();
  await finished;
  const elapsedMs = performance.now() - started;
  ws.close();
  const samples = acked * INGEST_SAMPLES;
  return {
    batches: acked,
    samples,
    values: samples * INGEST_VALUES,
    elapsedMs,
    samplesPerSecond: (samples / elapsedMs) * 1000,
    valuesPerSecond: ((samples * INGEST_VALUES) / elapsedMs) * 1000,
    ackLatency: summarize(ackLatency),
  };
}

// ---- (a) docker.list round trip -----------------------------------------------------------------

interface RoundTrips {
  roundTrip: ReturnType<typeof summarize>;
  direct: ReturnType<typeof summarize>;
  overhead: ReturnType<typeof summarize>;
  containers: number;
}

async function measureDockerRoundTrip(session: OwnerSession, agentId: string, docker: Docker): Promise<RoundTrips> {
  const job = async () => {
    const answer = await runJob(session, agentId, { kind: "docker.list", params: { all: true } });
    if (answer.httpStatus !== 200 || answer.status !== "succeeded") throw new Error(`docker.list answered ${answer.httpStatus} ${answer.status} ${JSON.stringify(answer.error)}`);
    return answer.result as unknown[];
  };
  let containers = 0;
  for (let i = 0; i < ROUND_TRIP_WARMUP; i++) containers = (await job()).length;
  const roundTrip: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const started = performance.now();
    await job();
    roundTrip.push(performance.now() - started);
  }
  // The same call the agent makes (dockerode over the unix socket), from this process.
  for (let i = 0; i < ROUND_TRIP_WARMUP; i++) await docker.listContainers({ all: true });
  const direct: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const started = performance.now();
    await docker.listContainers({ all: true });
    direct.push(performance.now() - started);
  }
  const directMedian = percentile(direct, 50);
  return { roundTrip: summarize(roundTrip), direct: summarize(direct), overhead: summarize(roundTrip.map((t) => t - directMedian)), containers };
}

// ---- (b) at rest, (d) idle Postgres ---------------------------------------------------------------

function rssBytes(pid: number): number | null {
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}

interface AtRest {
  label: string;
  rssEndBytes: number;
  rssMaxBytes: number;
  cpuPercentOfOneCore: number;
  cpuMs: number;
  samplesSent: number;
  hubQueries: number;
  hubConnections: number;
  /** Reconnects during the window (each hello is recorded in Postgres). */
  reconnects: number;
}

async function bridgeStats(statsBase: string, agentId: string): Promise<{ connections: number; queries: number }> {
  const res = await fetch(`${statsBase}/__stats?app=${encodeURIComponent(hubApplicationName(agentId))}`);
  return (await res.json()) as { connections: number; queries: number };
}

async function measureAtRest(agents: { label: string; agentId: string; process: AgentProcess; spoolDir: string }[], statsBase: string | null): Promise<AtRest[]> {
  // Start counting once each agent is connected and its first sample is stored: start-up is not rest.
  for (const a of agents) await until(`${a.label} to connect and deliver a sample`, () => readSpool(a.spoolDir).ackedSeq >= 1, 30_000);
  const connects = (a: (typeof agents)[number]) => a.process.logs().filter((l) => l.msg === "connected to the edge").length;
  const before = await Promise.all(
    agents.map(async (a) => ({ connects: connects(a), ticks: cpuTicks(a.process.pid) ?? 0, seq: readSpool(a.spoolDir).ackedSeq, pg: statsBase ? await bridgeStats(statsBase, a.agentId) : null })),
  );
  const started = performance.now();
  const rssMax = agents.map(() => 0);
  while (performance.now() - started < REST_SECONDS * 1000) {
    await new Promise((r) => setTimeout(r, 2000));
    agents.forEach((a, i) => {
      rssMax[i] = Math.max(rssMax[i] ?? 0, rssBytes(a.process.pid) ?? 0);
    });
  }
  const wallMs = performance.now() - started;
  return Promise.all(
    agents.map(async (a, i) => {
      const b = before[i] as (typeof before)[number];
      const cpuMs = ((cpuTicks(a.process.pid) ?? 0) - b.ticks) * TICK_MS;
      const pg = statsBase ? await bridgeStats(statsBase, a.agentId) : null;
      return {
        label: a.label,
        rssEndBytes: rssBytes(a.process.pid) ?? 0,
        rssMaxBytes: rssMax[i] ?? 0,
        cpuMs,
        cpuPercentOfOneCore: (cpuMs / wallMs) * 100,
        samplesSent: readSpool(a.spoolDir).ackedSeq - b.seq,
        hubQueries: pg && b.pg ? pg.queries - b.pg.queries : Number.NaN,
        hubConnections: pg && b.pg ? pg.connections - b.pg.connections : Number.NaN,
        reconnects: connects(a) - b.connects,
      };
    }),
  );
}

const installScript = () => readFileSync(path.join(path.dirname(AGENT_ENTRY), "../install/install.sh"), "utf8");

/** The node flags of the systemd unit agent/install/install.sh writes (its ExecStart line), so the bench runs the agent as installed. */
export function installedNodeFlags(): string[] {
  const line = /^ExecStart=\$\{NODE_BIN\}\s+(.*?)\s*\$\{APP_DIR\}\/nebula-agent\.mjs\s*$/m.exec(installScript());
  if (!line) throw new Error("agent/install/install.sh has no ExecStart line of the expected shape");
  return (line[1] ?? "").split(/\s+/).filter(Boolean);
}

/** The unit's fixed Environment= assignments (allocator settings); those naming install paths (${STATE_DIR}) stay the bench's own. */
export function installedEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [, assignments] of installScript().matchAll(/^Environment=(.*)$/gm)) {
    for (const assignment of (assignments ?? "").split(/\s+/).filter(Boolean)) {
      const [name, ...value] = assignment.split("=");
      if (name && !assignment.includes("${")) env[name] = value.join("=");
    }
  }
  return env;
}

/** RSS of a bare `node` that only keeps a timer, on this machine: the floor under any Node agent. */
async function bareNodeRss(): Promise<number | null> {
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1e6); process.stdout.write('up\\n')"], { stdio: ["ignore", "pipe", "ignore"] });
  try {
    await new Promise((resolve) => child.stdout.once("data", resolve));
    return rssBytes(child.pid ?? -1);
  } finally {
    child.kill();
  }
}

/** DB_WS_PROXY as start.ts handed it to the Worker: the local bridge, which also serves /__stats. */
function bridgeStatsBase(dataDir: string): string | null {
  const line = readFileSync(path.join(dataDir, "worker.env"), "utf8")
    .split("\n")
    .find((l) => l.startsWith("DB_WS_PROXY="));
  if (!line) return null;
  const proxy = JSON.parse(line.slice("DB_WS_PROXY=".length)) as string;
  return `http://${proxy.split("/")[0]}`;
}

// ---- (e) a simulated idle hour of the whole deployment ----------------------------------------------------

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Every query the bridge has seen, from the Worker, its Durable Objects and the hubs alike (GET /__stats). */
async function deploymentQueries(statsBase: string): Promise<number> {
  const res = await fetch(`${statsBase}/__stats`);
  return ((await res.json()) as { queries: number }).queries;
}

/** Fires a schedule at a simulated time, through miniflare's /cdn-cgi/local/scheduled as `npm run cron` does. */
async function fireCron(edgeUrl: string, cron: string, time: number): Promise<string> {
  const res = await fetch(`${edgeUrl}/cdn-cgi/local/scheduled?cron=${encodeURIComponent(cron)}&time=${time}&format=json`);
  const body = await res.text();
  if (!res.ok) throw new Error(`scheduled ${cron} answered ${res.status}: ${body}`);
  return (JSON.parse(body) as { outcome?: string }).outcome ?? body;
}

interface IdleHour {
  /** The hourly run and the 5-minute run at the top of the hour (the gates are seeded there). */
  atTheHour: number;
  /** The 11 runs of the 5-minute schedule between. */
  between: number;
  failedRuns: string[];
  realMs: number;
}

/** The next simulated hour: both schedules at its top, then the 5-minute one every 5 minutes until its end. */
async function measureIdleHour(edgeUrl: string, statsBase: string): Promise<IdleHour> {
  const hour = Math.ceil(Date.now() / HOUR_MS) * HOUR_MS + HOUR_MS;
  const started = performance.now();
  const failedRuns: string[] = [];
  const fire = async (cron: string, time: number) => {
    const outcome = await fireCron(edgeUrl, cron, time);
    if (outcome !== "ok") failedRuns.push(`${cron} at +${(time - hour) / MINUTE_MS} min: ${outcome}`);
  };
  const before = await deploymentQueries(statsBase);
  await fire("0 * * * *", hour);
  await fire("*/5 * * * *", hour);
  const afterHour = await deploymentQueries(statsBase);
  for (let step = 1; step < 12; step++) await fire("*/5 * * * *", hour + step * 5 * MINUTE_MS);
  const end = await deploymentQueries(statsBase);
  return { atTheHour: afterHour - before, between: end - afterHour, failedRuns, realMs: performance.now() - started };
}

function reportIdleHour(idle: IdleHour, agents: number, into: Pick<HomelabResults, "goals" | "details" | "notes" | "json">): void {
  into.goals.push(goal(`Postgres queries during an idle hour (simulated clock), whole deployment outside the hourly run: ${agents} agent(s) connected, 11 cron runs of */5`, idle.between, "count", 0, "0"));
  into.details["Idle hour, simulated: cron triggers at simulated times, every query at the local bridge counted"] = [
    ["the hourly run and the */5 run at the top of the hour", `${idle.atTheHour} queries (the hourly jobs, and seeding the */5 jobs' idle gates)`],
    ["the 11 runs of */5 between", `${idle.between} queries`],
    ["real time for the 13 triggers", ms(idle.realMs)],
    ["the same in workerd against real Postgres", "workers/test/cron/idle-deployment.test.ts"],
  ];
  into.json.idleHour = idle;
  if (idle.failedRuns.length > 0) into.notes.push(`idle hour: cron runs that did not finish ok: ${idle.failedRuns.join("; ")}`);
}

// ---- the section ----------------------------------------------------------------------------------

/**
 * `only: "round-trip"` measures (a) alone (homelab-only.ts), for iterating on the job path without the 60 s rest window;
 * `only: "ingest"` measures (c) alone; `only: "idle-hour"` measures (e) alone, with one agent connected.
 */
export async function measureHomelab(progress: (message: string) => void, options: { only?: "round-trip" | "ingest" | "idle-hour" } = {}): Promise<HomelabResults> {
  const goals: Goal[] = [];
  const details: Record<string, [string, string][]> = {};
  const notes: string[] = [];
  const json: Record<string, unknown> = {};
  const temp: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    temp.push(dir);
    return dir;
  };
  const running: AgentProcess[] = [];
  let podman: PodmanPeer | null = null;
  let stack: LocalStack | null = null;
  const loadAtStart = os.loadavg()[0] ?? 0;
  try {
    const dataDir = tempDir("nebula-bench-homelab-");
    progress("homelab: npm start with a new data dir, owner sign-in");
    stack = await startLocalStack({ dataDir });
    const session = await signInOwner(stack.url, stack.bootstrapUrl);
    const statsBase = bridgeStatsBase(dataDir);

    if (options.only === "idle-hour") {
      if (!statsBase) throw new Error("no local db bridge to count at");
      const created = await createAgent(session, "bench-idle-hour");
      const spoolDir = tempDir("nebula-bench-spool-");
      const agent = startAgentProcess({ edgeUrl: stack.url, token: created.token, spoolDir, dockerSocket: path.join(spoolDir, "no-docker.sock") });
      running.push(agent);
      await until("the agent to connect and deliver a sample", () => readSpool(spoolDir).ackedSeq >= 1, 30_000);
      progress("homelab: a simulated idle hour of cron triggers, 1 agent connected");
      reportIdleHour(await measureIdleHour(stack.url, statsBase), 1, { goals, details, notes, json });
      return { goals, details, notes, json };
    }

    // (c) first, on a fresh stack with nothing else running.
    if (options.only !== "round-trip") {
      progress(`homelab: AgentHub ingest, ${INGEST_SAMPLES} samples × ${INGEST_VALUES} values per batch, ${INGEST_WINDOW} in flight, ${INGEST_SECONDS} s`);
      const ingestAgent = await createAgent(session, "bench-ingest");
      const ingest = await measureIngest(stack.url, ingestAgent.token);
      json.ingest = { ...ingest, window: INGEST_WINDOW, samplesPerBatch: INGEST_SAMPLES, valuesPerSample: INGEST_VALUES };
      goals.push(goalAtLeast("AgentHub ingest, samples stored per second (one hub)", ingest.samplesPerSecond, "per-second", GOALS.ingestSamplesPerSecond, "≥ 10,000/s"));
      details["AgentHub ingest (one hub, a websocket client acting as the agent)"] = [
        ["batches acked", `${ingest.batches} × ${INGEST_SAMPLES} samples × ${INGEST_VALUES} values in ${ms(ingest.elapsedMs)}, ${INGEST_WINDOW} batches in flight`],
        ["samples per second", Math.round(ingest.samplesPerSecond).toLocaleString("en-US")],
        ["values per second", Math.round(ingest.valuesPerSecond).toLocaleString("en-US")],
        ["batch send → ack", `p50 ${ms(ingest.ackLatency.p50)} · p99 ${ms(ingest.ackLatency.p99)} · max ${ms(ingest.ackLatency.max)}`],
      ];
    }
    if (options.only === "ingest") return { goals, details, notes, json };

    // (a) docker.list through the whole path.
    const missing = peerMissing("podman");
    if (missing) notes.push(`docker.list round trip not measured: ${missing}`);
    else {
      progress("homelab: podman (Docker API) and an agent on its socket");
      podman = await startPodman();
      const docker = new Docker({ socketPath: podman.socketPath });
      // A few containers (created, not started), so the list the agent maps is not empty.
      const created = await Promise.all(
        [1, 2, 3].map((n) => docker.createContainer({ Image: BUSYBOX_IMAGE, name: `nebula-bench-${process.pid}-${n}`, Cmd: ["true"], HostConfig: { NetworkMode: "none" } })),
      );
      try {
        const dockerAgent = await createAgent(session, "bench-docker");
        const spoolDir = tempDir("nebula-bench-spool-");
        const agent = startAgentProcess({ edgeUrl: stack.url, token: dockerAgent.token, spoolDir, dockerSocket: podman.socketPath });
        running.push(agent);
        await agent.waitForLog((l) => l.msg === "connected to the edge", 1, 30_000);
        progress(`homelab: docker.list × ${ROUND_TRIPS} through API → edge → agent → podman, then × ${ROUND_TRIPS} straight to podman`);
        const trips = await measureDockerRoundTrip(session, dockerAgent.agentId, docker);
        await agent.stop();
        json.dockerRoundTrip = { ...trips, requests: ROUND_TRIPS, warmup: ROUND_TRIP_WARMUP };
        goals.push(goal("docker.list job overhead p50 (round trip − direct median)", trips.overhead.p50, "ms", GOALS.overheadP50Ms, "≤ 10 ms"));
        goals.push(goal("docker.list job overhead p99 (round trip − direct median)", trips.overhead.p99, "ms", GOALS.overheadP99Ms, "≤ 30 ms"));
        const line = (s: ReturnType<typeof summarize>) => `p50 ${ms(s.p50)} · p90 ${ms(s.p90)} · p99 ${ms(s.p99)} · max ${ms(s.max)}`;
        details[`docker.list job, sequential (${trips.containers} containers, podman's Docker API)`] = [
          ["POST /jobs?wait=true round trip: API → edge → agent → podman → back", line(trips.roundTrip)],
          ["the same list straight to podman's socket (dockerode, this process)", line(trips.direct)],
          ["overhead: round trip − direct median", line(trips.overhead)],
        ];
      } finally {
        await Promise.all(created.map((c) => c.remove({ force: true }).catch(() => {})));
      }
    }

    if (options.only === "round-trip") return { goals, details, notes, json };
    // (b) + (d): fresh agents, nobody watching, 60 s.
    const restAgents: { label: string; agentId: string; process: AgentProcess; spoolDir: string }[] = [];
    const builds: [string, string, string[], Record<string, string>?][] = [["node agent/src/main.ts", AGENT_ENTRY, []]];
    if (existsSync(AGENT_BUNDLE)) {
      builds.push(["node agent/dist/nebula-agent.mjs (bundle)", AGENT_BUNDLE, []]);
      const flags = installedNodeFlags();
      const env = installedEnvironment();
      const envText = Object.entries(env).map(([name, value]) => `${name}=${value} `).join("");
      if (flags.length || envText) builds.push([`bundle as installed: ${envText}node ${flags.join(" ")}`, AGENT_BUNDLE, flags, env]);
    }
    else notes.push("agent/dist/nebula-agent.mjs does not exist: only the source entry was measured at rest (run `npm run build:agent` first)");
    for (const [label, entry, nodeArgs, env] of builds) {
      const created = await createAgent(session, `bench-rest-${restAgents.length + 1}`);
      const spoolDir = tempDir("nebula-bench-spool-");
      const agent = startAgentProcess({ entry, nodeArgs, env, edgeUrl: stack.url, token: created.token, spoolDir, dockerSocket: path.join(spoolDir, "no-docker.sock") });
      running.push(agent);
      restAgents.push({ label, agentId: created.agentId, process: agent, spoolDir });
    }
    progress(`homelab: ${restAgents.length} agent(s) at rest (10 s interval, no viewers) for ${REST_SECONDS} s: RSS, CPU, their hubs' Postgres queries`);
    const windowStart = Date.now();
    const rest = await measureAtRest(restAgents, statsBase);
    const windowEnd = Date.now();
    const bare = await bareNodeRss();
    json.atRest = rest.map((r) => ({ ...r, seconds: REST_SECONDS }));
    for (const r of rest) {
      goals.push(goal(`agent at rest, RSS (${r.label})`, r.rssEndBytes, "bytes", GOALS.rssBytes, "≤ 45 MB (45,000,000 B)"));
      goals.push(goal(`agent at rest, CPU of one core (${r.label})`, r.cpuPercentOfOneCore, "percent", GOALS.cpuPercent, "≤ 0.5%"));
    }
    details[`Agent at rest, ${REST_SECONDS} s at the 10 s interval, no viewers`] = rest.map((r): [string, string] => [
      r.label,
      `RSS ${(r.rssEndBytes / 1e6).toFixed(1)} MB at the end (max ${(r.rssMaxBytes / 1e6).toFixed(1)} MB) · CPU ${r.cpuMs} ms = ${r.cpuPercentOfOneCore.toFixed(2)}% of one core · ${r.samplesSent} samples delivered`,
    ]);
    if (bare !== null) details[`Agent at rest, ${REST_SECONDS} s at the 10 s interval, no viewers`]?.push([`for scale: a bare \`node -e "setInterval(…)"\` (${process.version})`, `RSS ${(bare / 1e6).toFixed(1)} MB`]);
    json.bareNodeRssBytes = bare;
    if (statsBase) {
      const crossedHour = Math.floor(windowStart / 3_600_000) !== Math.floor(windowEnd / 3_600_000);
      const queries = rest.reduce((n, r) => n + r.hubQueries, 0);
      // Crossing a clock hour allows each hub its one hourly rollup push (a single upsert), which is not idle traffic.
      const outsideRollup = crossedHour ? Math.max(0, queries - rest.length) : queries;
      goals.push(goal(`Postgres queries by idle agents' hubs outside the hourly rollup, ${REST_SECONDS} s, agent connected, no viewers`, outsideRollup, "count", 0, "0"));
      details["Postgres while idle (counted at the local bridge by the hubs' application_name)"] = [
        ...rest.map((r): [string, string] => [r.label, `${r.hubQueries} queries on ${r.hubConnections} connections in ${REST_SECONDS} s; the agent reconnected ${r.reconnects}× (a hello is recorded in Postgres)`]),
        ["the window crossed a clock hour (one rollup push allowed)", crossedHour ? "yes" : "no"],
        ["a simulated idle hour", "workers/test/agents/idle-postgres.test.ts: only the hourly rollup push queries Postgres"],
      ];
      json.idlePostgres = { seconds: REST_SECONDS, queries, crossedHour, outsideRollup };
      if (rest.some((r) => r.reconnects > 0)) {
        notes.push("idle agents reconnected during the Postgres window: each hello is a Postgres write, so the idle count is not 0");
      }
      // (e) the agents still connected.
      progress(`homelab: a simulated idle hour of cron triggers, ${rest.length} agent(s) connected`);
      reportIdleHour(await measureIdleHour(stack.url, statsBase), rest.length, { goals, details, notes, json });
    } else notes.push("idle Postgres not counted: no local db bridge (DATABASE_URL set)");
    const loadAtEnd = os.loadavg()[0] ?? 0;
    json.loadAverage1m = { start: loadAtStart, end: loadAtEnd };
    if (Math.max(loadAtStart, loadAtEnd) > os.cpus().length * 0.5) {
      notes.push(`homelab section ran on a busy machine (1-min load ${loadAtStart.toFixed(2)} → ${loadAtEnd.toFixed(2)} on ${os.cpus().length} cores): its latency and ingest figures are pessimistic`);
    }
    return { goals, details, notes, json };
  } finally {
    await Promise.all(running.map((a) => a.stop()));
    await stack?.stop();
    await podman?.stop();
    for (const dir of temp) rmSync(dir, { recursive: true, force: true });
  }
}
