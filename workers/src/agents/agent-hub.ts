// AgentHub: one Durable Object per home agent. It holds the agent's websocket as a hibernatable socket (heartbeat
// pings are answered by auto-response, so an idle hub sleeps), answers hello, relays jobs (request, progress, logs,
// result), ingests metrics into its own SQLite, fans batches out to live viewers, and notices a silent agent.
// It also evaluates the tenant's alert rules for this host (alerts/host-alerts.ts) on each batch and on the alarm.
// Postgres is touched on hello, once per finished job (never for a quick read), by the hourly rollup push from the
// alarm, and when an alert changes phase: never per message. A quick read is not even stored: see dispatchAndWait.
import { agentWire, type api } from "@nebula/schema";
import { DurableObject } from "cloudflare:workers";
import { loadConfig } from "../config/config.ts";
import type { Env } from "../env.ts";
import {
  AGENT_OFFLINE,
  type DispatchAndWaitAnswer,
  type DispatchAnswer,
  type DispatchedJob,
  type JobOutcome,
  outcomeOfResult,
  resultFrameOf,
} from "../jobs/job-outcome.ts";
import { notifyJobEnd } from "../jobs/job-notify.ts";
import { recordJobEnd } from "../jobs/job-rows.ts";
import { alertRulesForAgent } from "../alerts/alert-rules.ts";
import { HostAlerts } from "../alerts/host-alerts.ts";
import type { AlertRule } from "../alerts/rules.ts";
import { type Logger, createLogger } from "../logging/logger.ts";
import { upsertHourlyRollups } from "../metrics/hourly-rollups.ts";
import { HOUR_MS, MINUTE_MS, MetricStore, bucketWidth } from "../metrics/metric-store.ts";
import { type SeqWindow, admitSeq, emptySeqWindow } from "../metrics/seq-window.ts";
import { recordHello } from "./agents.ts";
import { withHubPostgres } from "./hub-postgres.ts";
import { helloAck, readAgentFrame, supportsProtocol } from "./hub-protocol.ts";

const { CLOSE_CODES, HEARTBEAT_INTERVAL_SECONDS, HEARTBEAT_PING, HEARTBEAT_PONG, PROTOCOL_VERSION } = agentWire;

/** Set by the Worker's routes after they checked who is asking; the hub has no public route, so it trusts them. */
export const HUB_AGENT_ID_HEADER = "x-nebula-agent-id";
export const HUB_TENANT_ID_HEADER = "x-nebula-tenant-id";
/** Absent for the agent itself; `viewer` for a browser watching the host live, `job` for a browser following a job. */
export const HUB_SOCKET_HEADER = "x-nebula-hub-socket";
export const HUB_JOB_ID_HEADER = "x-nebula-job-id";

/**
 * The upgrade request a Worker route hands the hub for a browser socket: the browser's own credentials are dropped
 * (the route has checked them) and the hub is told what the socket is for.
 */
export function hubSocketRequest(request: Request, kind: "viewer" | "job", jobId?: string): Request {
  const headers = new Headers(request.headers);
  for (const name of ["cookie", "authorization", HUB_AGENT_ID_HEADER, HUB_TENANT_ID_HEADER]) headers.delete(name);
  headers.set(HUB_SOCKET_HEADER, kind);
  if (jobId) headers.set(HUB_JOB_ID_HEADER, jobId);
  else headers.delete(HUB_JOB_ID_HEADER);
  return new Request(request.url, { method: "GET", headers });
}

/**
 * Storage key of the hub's clock offset (ms added to Date.now()). Nothing in the product sets it; tests do, through
 * runInDurableObject, to live through hours of metrics and job deadlines without waiting for them.
 */
export const HUB_CLOCK_OFFSET_KEY = "clockOffsetMs";

/** The agent is silent (offline) when nothing, not even a heartbeat, arrived for this long. */
export const SILENCE_MS = 3 * HEARTBEAT_INTERVAL_SECONDS * 1000;
/** A job end or a rollup push that Postgres refused is retried from the alarm after this long. */
const POSTGRES_RETRY_MS = 60_000;
/** Progress steps kept per running job, replayed to a browser that starts following it late. */
const PROGRESS_KEPT = 20;
/** At most this many hours of rollups go to Postgres in one push (a week of backlog, in batched upserts). */
const HOURS_PER_PUSH = 24 * 8;
/** The agent's last message is stored at most this often: silence is judged over SILENCE_MS (90 s). */
const TOUCH_STORE_MS = 1_000;

/** Kept on each socket across hibernation; Cloudflare allows 2 KB per attachment, these are ~100 bytes. */
type Attachment =
  | { role: "agent"; agentId: string; tenantId: string; connectedAt: number }
  | { role: "viewer"; connectedAt: number }
  | { role: "job"; jobId: string };

interface Identity {
  agentId: string;
  tenantId: string;
}

interface InFlightJob extends DispatchedJob {
  startedAt: number;
  cancelRequested: boolean;
  /**
   * For a kind that undoes its work when stopped (JOB_ROLLBACK_GRACE_MS: gaming mode), the deadline only asks the agent
   * to stop: the job stays open until the agent's result, or this moment, so the rollback's steps reach the browser.
   */
  rollbackUntil?: number;
  progress: agentWire.JobProgress[];
  /** Set when the job ended; the record stays until its Postgres write succeeded. */
  outcome: JobOutcome | null;
}

export interface SpoolLossRecord {
  reports: number;
  droppedBatches: number;
  droppedSamples: number;
  lastReportAt: string;
  oldestDroppedAt: string;
}

export interface HubStatus {
  connected: boolean;
  /** When the current connection was made; null while disconnected. */
  onlineSince: string | null;
  /** Last message or heartbeat from the agent. */
  lastSeenAt: string | null;
  /** Not connected, or connected but silent for longer than SILENCE_MS (noticed by the alarm). */
  offline: boolean;
  lastHelloAt: string | null;
  hostFacts: agentWire.HostFacts | null;
  rejectedMessages: number;
  /** Messages from the edge the agent could not use, as it reported them (rejected_report). */
  agentRejectedMessages: number;
  viewers: number;
  jobsInFlight: number;
  /** job_result messages for jobs already finished (or never sent): ignored. */
  ignoredJobResults: number;
  metrics: { ackedSeq: number; seqsAboveGap: number; spoolLoss: SpoolLossRecord | null; rollupPushes: number; lastRollupPushAt: string | null };
}

export type CancelAnswer = "cancelling" | "cancelled" | "finished" | "unknown";

const KEYS = {
  identity: "identity",
  hostFacts: "hostFacts",
  lastHelloAt: "lastHelloAt",
  rejected: "rejectedMessages",
  agentRejected: "agentRejectedMessages",
  lastMessageAt: "lastMessageAt",
  silentSince: "silentSince",
  seq: "metricsSeq",
  spoolLoss: "spoolLoss",
  ignoredResults: "ignoredJobResults",
  rollupPushes: "rollupPushes",
  lastRollupPushAt: "lastRollupPushAt",
  rollupRetryAt: "rollupRetryAt",
} as const;
const JOB_PREFIX = "job:";
const jobKey = (id: string) => `${JOB_PREFIX}${id}`;
const jobTag = (id: string) => `job:${id}`;
const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closing or closed.
  }
}

function sendText(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    // The socket went away mid-handler; the close event will follow.
  }
}

function send(ws: WebSocket, message: agentWire.EdgeMessage): void {
  sendText(ws, JSON.stringify(message));
}

function jobRequestOf(job: DispatchedJob): agentWire.JobRequest {
  return { type: "job", id: job.id, kind: job.kind, params: job.params, deadline: job.deadline, requestedBy: job.requestedBy };
}

const isOpen = (ws: WebSocket) => ws.readyState === WebSocket.OPEN;

export class AgentHub extends DurableObject<Env> {
  private readonly logger: Logger;
  private readonly metrics: MetricStore;
  private readonly alerts: HostAlerts;
  /** API calls waiting for a job's end (`?wait=true`); in memory: a waiting call keeps the object awake. */
  private readonly waiters = new Map<string, Set<(outcome: JobOutcome | null) => void>>();
  /** Job ends being written right now, so an alarm does not write the same one again. */
  private readonly persisting = new Set<string>();
  /** When touch() last stored the agent's last message (0 after a wake from hibernation: the next one stores). */
  private touchStoredAt = 0;
  /** Quick reads on their way to the agent and back (dispatchAndWait): in memory only. */
  private readonly quickReads = new Set<string>();
  /** Alarm runs one at a time: an automatic run and a test's direct call never do the same work twice. */
  private alarmQueue: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Answered by the runtime without waking this object: an idle agent costs no duration.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_PING, HEARTBEAT_PONG));
    let level: "debug" | "info" | "warn" | "error" = "info";
    try {
      level = loadConfig(env).LOG_LEVEL;
    } catch {
      // Misconfiguration is reported by the request path; the hub still logs at the default level.
    }
    this.logger = createLogger({ service: "agent-hub" }, level);
    this.metrics = new MetricStore(ctx.storage.sql);
    this.alerts = new HostAlerts(ctx.storage.kv, env, this.logger);
    ctx.blockConcurrencyWhile(async () => this.metrics.migrate());
  }

  // ---- Sockets ------------------------------------------------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("websocket upgrade required", { status: 426 });
    const kind = request.headers.get(HUB_SOCKET_HEADER);
    if (kind === "viewer") return this.acceptViewer();
    if (kind === "job") return this.acceptJobFollower(request.headers.get(HUB_JOB_ID_HEADER) ?? "");
    const agentId = request.headers.get(HUB_AGENT_ID_HEADER);
    const tenantId = request.headers.get(HUB_TENANT_ID_HEADER);
    if (!agentId || !tenantId) return new Response("agent identity missing", { status: 400 });
    return this.acceptAgent({ agentId, tenantId });
  }

  private async acceptAgent(identity: Identity): Promise<Response> {
    // One live socket per agent: a reconnect (new process, network flap) takes over from the stale one.
    for (const old of this.ctx.getWebSockets("agent")) closeQuietly(old, CLOSE_CODES.replaced, "replaced");
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, ["agent"]);
    const now = this.now();
    server.serializeAttachment({ role: "agent", ...identity, connectedAt: now } satisfies Attachment);
    const kv = this.ctx.storage.kv;
    kv.put(KEYS.identity, identity);
    kv.put(KEYS.lastMessageAt, now);
    kv.delete(KEYS.silentSince);
    await this.scheduleAlarm();
    return new Response(null, { status: 101, webSocket: client });
  }

  /** A browser watching the host live: the first one speeds the agent up to the live interval. */
  private acceptViewer(): Response {
    const first = this.openViewers().length === 0;
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, ["viewer"]);
    server.serializeAttachment({ role: "viewer", connectedAt: this.now() } satisfies Attachment);
    if (first) this.setAgentInterval(agentWire.LIVE_METRICS_INTERVAL_SECONDS);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** A browser following one job: gets the progress so far, then progress, logs and the result as they come. */
  private acceptJobFollower(jobId: string): Response {
    const job = this.ctx.storage.kv.get<InFlightJob>(jobKey(jobId));
    if (!job || job.outcome) return new Response("job finished", { status: 410 });
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [jobTag(jobId)]);
    server.serializeAttachment({ role: "job", jobId } satisfies Attachment);
    for (const step of job.progress) sendText(server, JSON.stringify(step));
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, frame: string | ArrayBuffer): Promise<void> {
    const attachment = ws.deserializeAttachment() as Attachment;
    // Browsers only listen; their keep-alive "ping" never reaches here (auto-response).
    if (attachment.role !== "agent") return;
    // One clock read per message: the hub's clock is a storage read (HUB_CLOCK_OFFSET_KEY).
    const now = this.now();
    this.touch(now);
    const inbound = readAgentFrame(frame);
    if (inbound.kind === "too_big") {
      this.count(KEYS.rejected);
      this.logger.warn("agent message too big", { agentId: attachment.agentId, tenantId: attachment.tenantId, bytes: inbound.bytes });
      closeQuietly(ws, CLOSE_CODES.messageTooBig, "message too big");
      return;
    }
    if (inbound.kind === "rejected") {
      this.count(KEYS.rejected);
      this.logger.warn("agent message rejected", { agentId: attachment.agentId, tenantId: attachment.tenantId, code: inbound.error.code });
      send(ws, inbound.error);
      return;
    }
    const message = inbound.message;
    switch (message.type) {
      case "hello":
        return this.onHello(ws, attachment, message);
      case "metrics":
        return this.onMetrics(ws, message);
      case "spool_loss":
        return this.onSpoolLoss(attachment, message);
      case "rejected_report":
        return this.onRejectedReport(attachment, message);
      case "job_progress":
        return this.onJobProgress(message);
      case "job_log":
        return this.relayToFollowers(message.id, JSON.stringify(message));
      case "job_result":
        return this.onJobResult(message, now);
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // Complete the closing handshake; 1005/1006 are "no code" markers that may not be sent back.
    closeQuietly(ws, code === 1005 || code === 1006 ? CLOSE_CODES.normal : code, "closing");
    const attachment = ws.deserializeAttachment() as Attachment | null;
    // The last viewer left: back to the resting interval.
    if (attachment?.role === "viewer" && this.openViewers(ws).length === 0) this.setAgentInterval(agentWire.DEFAULT_METRICS_INTERVAL_SECONDS);
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    const attachment = ws.deserializeAttachment() as Attachment | null;
    this.logger.warn("hub socket error", { role: attachment?.role, err: error });
  }

  // ---- RPC ----------------------------------------------------------------------------------------

  /** What the dashboard shows about this agent's link. No Postgres. */
  async status(): Promise<HubStatus> {
    const kv = this.ctx.storage.kv;
    const agent = this.agentSocket();
    const attachment = agent?.deserializeAttachment() as Attachment | undefined;
    const seq = kv.get<SeqWindow>(KEYS.seq) ?? emptySeqWindow();
    return {
      connected: agent !== undefined,
      onlineSince: attachment?.role === "agent" ? iso(attachment.connectedAt) : null,
      lastSeenAt: iso(this.lastActivity()),
      offline: agent === undefined || kv.get<number>(KEYS.silentSince) !== undefined,
      lastHelloAt: kv.get<string>(KEYS.lastHelloAt) ?? null,
      hostFacts: kv.get<agentWire.HostFacts>(KEYS.hostFacts) ?? null,
      rejectedMessages: kv.get<number>(KEYS.rejected) ?? 0,
      agentRejectedMessages: kv.get<number>(KEYS.agentRejected) ?? 0,
      viewers: this.openViewers().length,
      jobsInFlight: this.inFlightJobs().filter((j) => !j.outcome).length + this.quickReads.size,
      ignoredJobResults: kv.get<number>(KEYS.ignoredResults) ?? 0,
      metrics: {
        ackedSeq: seq.contiguous,
        seqsAboveGap: seq.above.length,
        spoolLoss: kv.get<SpoolLossRecord>(KEYS.spoolLoss) ?? null,
        rollupPushes: kv.get<number>(KEYS.rollupPushes) ?? 0,
        lastRollupPushAt: iso(kv.get<number>(KEYS.lastRollupPushAt)),
      },
    };
  }

  /** Closes the agent's socket, e.g. after its token was revoked. */
  async disconnect(reason: "revoked"): Promise<void> {
    for (const ws of this.ctx.getWebSockets("agent")) closeQuietly(ws, CLOSE_CODES[reason], reason);
  }

  /**
   * Sends a job to the agent if it is connected. Nothing is queued for later: an offline agent is an answer, so a
   * state-changing job never runs hours after someone asked for it. Idempotent on the job id.
   */
  async dispatchJob(job: DispatchedJob): Promise<DispatchAnswer> {
    const kv = this.ctx.storage.kv;
    const known = kv.get<InFlightJob>(jobKey(job.id));
    if (known) return { accepted: true, startedAt: known.startedAt };
    const ws = this.agentSocket();
    if (!ws || kv.get<number>(KEYS.silentSince) !== undefined) return { accepted: false, error: AGENT_OFFLINE };
    const startedAt = this.now();
    kv.put(jobKey(job.id), { ...job, startedAt, cancelRequested: false, progress: [], outcome: null } satisfies InFlightJob);
    send(ws, jobRequestOf(job));
    await this.scheduleAlarm();
    return { accepted: true, startedAt };
  }

  /** Resolves with the job's end, or null when it is unknown here (already recorded) or still running after `maxWaitMs`. */
  async waitForJob(jobId: string, maxWaitMs: number): Promise<JobOutcome | null> {
    const job = this.ctx.storage.kv.get<InFlightJob>(jobKey(jobId));
    if (!job) return null;
    if (job.outcome) return job.outcome;
    return new Promise((resolve) => this.addWaiter(jobId, maxWaitMs, resolve));
  }

  /**
   * Dispatch and wait in one call, for quick reads (jobs/job-history.ts), which have no row to read the end from:
   * the waiter is in place before the job goes out, so even an instant answer is caught, and the API saves a call.
   * Nothing is stored: the waiting call keeps this object awake, and a storage write would hold the job and its answer
   * behind the output gate (Durable Objects send nothing out until pending writes are durable) on the dashboard's
   * most frequent call. At the deadline the agent is told to stop, as the alarm does for a stored job.
   */
  async dispatchAndWait(job: DispatchedJob, maxWaitMs: number): Promise<DispatchAndWaitAnswer> {
    const ws = this.agentSocket();
    if (!ws || this.ctx.storage.kv.get<number>(KEYS.silentSince) !== undefined) return { accepted: false, error: AGENT_OFFLINE };
    const startedAt = this.now();
    const ended = new Promise<JobOutcome | null>((resolve) => this.addWaiter(job.id, Math.min(maxWaitMs, job.deadline - startedAt), resolve));
    this.quickReads.add(job.id);
    send(ws, jobRequestOf(job));
    const outcome = await ended;
    this.quickReads.delete(job.id);
    if (outcome) return { accepted: true, startedAt, outcome };
    const agent = this.agentSocket();
    if (agent) send(agent, { type: "job_cancel", id: job.id, reason: "deadline passed" });
    const message = `No result within ${Math.round((job.deadline - job.createdAt) / 1000)} s`;
    return { accepted: true, startedAt, outcome: { status: "timeout", result: null, error: { code: "timeout", message }, finishedAt: this.now() } };
  }

  /** Asks the agent to stop a job; with no agent to ask, the job ends as cancelled here. */
  async cancelJob(jobId: string, reason: string): Promise<CancelAnswer> {
    const kv = this.ctx.storage.kv;
    const job = kv.get<InFlightJob>(jobKey(jobId));
    if (!job) return "unknown";
    if (job.outcome) return "finished";
    const ws = this.agentSocket();
    if (ws) {
      kv.put(jobKey(jobId), { ...job, cancelRequested: true } satisfies InFlightJob);
      send(ws, { type: "job_cancel", id: jobId, reason: reason.slice(0, 200) });
      return "cancelling";
    }
    await this.finishJob(job, { status: "cancelled", result: null, error: { code: "cancelled", message: reason }, finishedAt: this.now() });
    return "cancelled";
  }

  /** Chart data from this hub's SQLite: raw samples, or minute rollups merged to at most `maxPoints` per series. */
  async series(names: string[], fromMs: number, toMs: number, resolution: "raw" | "1m", maxPoints?: number): Promise<api.MetricSeries[]> {
    const width = resolution === "1m" && maxPoints ? bucketWidth(fromMs, toMs, maxPoints) : MINUTE_MS;
    return this.metrics.series(names, fromMs, toMs, resolution, width);
  }

  /** The tenant's alert rules that apply to this host, pushed by the rules routes whenever they change. */
  async setAlertRules(rules: AlertRule[]): Promise<void> {
    this.alerts.setRules(rules);
    await this.scheduleAlarm();
  }

  // ---- Alarm: job deadlines, silent agent, retention, hourly rollups, alerts ----------------------

  override alarm(): Promise<void> {
    const run = this.alarmQueue.then(() => this.runAlarm());
    this.alarmQueue = run.catch(() => {});
    return run;
  }

  private async runAlarm(): Promise<void> {
    const now = this.now();
    for (const job of this.inFlightJobs()) {
      if (job.outcome) {
        if (!this.persisting.has(job.id)) await this.persistJobEnd(job);
      } else if (job.deadline <= now && (job.rollbackUntil ?? job.deadline) <= now) {
        const agent = this.agentSocket();
        const grace = agentWire.JOB_ROLLBACK_GRACE_MS[job.kind as agentWire.JobKind];
        if (agent && grace !== undefined && job.rollbackUntil === undefined) {
          send(agent, { type: "job_cancel", id: job.id, reason: "deadline passed" });
          this.ctx.storage.kv.put(jobKey(job.id), { ...job, cancelRequested: true, rollbackUntil: job.deadline + grace } satisfies InFlightJob);
          continue;
        }
        if (agent && job.rollbackUntil === undefined) send(agent, { type: "job_cancel", id: job.id, reason: "deadline passed" });
        const message = `No result within ${Math.round((job.deadline - job.createdAt) / 1000)} s`;
        await this.finishJob(job, { status: "timeout", result: null, error: { code: "timeout", message }, finishedAt: now });
      }
    }
    this.noticeSilence(now);
    await this.evaluateAlerts([], now);
    this.metrics.prune(now);
    await this.pushHourlyRollups(now);
    await this.scheduleAlarm();
  }

  private noticeSilence(now: number): void {
    const kv = this.ctx.storage.kv;
    if (!this.agentSocket() || kv.get<number>(KEYS.silentSince) !== undefined) return;
    const last = this.lastActivity();
    if (last !== null && now - last < SILENCE_MS) return;
    kv.put(KEYS.silentSince, now);
    const identity = kv.get<Identity>(KEYS.identity);
    this.logger.warn("agent silent: marked offline", { agentId: identity?.agentId, tenantId: identity?.tenantId, lastSeenAt: iso(last) });
  }

  /** At most once per clock hour, and only when a finished hour has new samples: an idle Neon stays asleep. */
  private async pushHourlyRollups(now: number): Promise<void> {
    const kv = this.ctx.storage.kv;
    const identity = kv.get<Identity>(KEYS.identity);
    if (!identity || now < this.nextPushAt()) return;
    const hours = this.metrics.completedDirtyHours(now, HOURS_PER_PUSH);
    if (hours.length === 0) return;
    const rollups = this.metrics.hourlyRollups(hours.map((h) => h.hour));
    try {
      await withHubPostgres(this.env, identity.agentId, (p) => this.ctx.waitUntil(p), (db) =>
        upsertHourlyRollups(db, identity.tenantId, identity.agentId, rollups),
      );
      this.metrics.markPushed(hours);
      kv.put(KEYS.lastRollupPushAt, now);
      kv.put(KEYS.rollupPushes, (kv.get<number>(KEYS.rollupPushes) ?? 0) + 1);
      kv.delete(KEYS.rollupRetryAt);
    } catch (err) {
      kv.put(KEYS.rollupRetryAt, now + POSTGRES_RETRY_MS);
      this.logger.error("pushing hourly rollups to Postgres failed", { agentId: identity.agentId, tenantId: identity.tenantId, hours: hours.length, err });
    }
  }

  /** The start of the clock hour after the last push (or a retry time after a failure). */
  private nextPushAt(): number {
    const kv = this.ctx.storage.kv;
    const retryAt = kv.get<number>(KEYS.rollupRetryAt);
    if (retryAt !== undefined) return retryAt;
    const last = kv.get<number>(KEYS.lastRollupPushAt);
    return last === undefined ? Number.NEGATIVE_INFINITY : Math.floor(last / HOUR_MS) * HOUR_MS + HOUR_MS;
  }

  /** The next moment something is due: a job deadline or retry, the silence check, the hourly push. */
  private async scheduleAlarm(): Promise<void> {
    const now = this.now();
    const due: number[] = [];
    for (const job of this.inFlightJobs()) due.push(job.outcome ? now + POSTGRES_RETRY_MS : (job.rollbackUntil ?? job.deadline));
    if (this.agentSocket() && this.ctx.storage.kv.get<number>(KEYS.silentSince) === undefined) due.push((this.lastActivity() ?? now) + SILENCE_MS);
    const firstDirty = this.metrics.firstDirtyHour();
    if (firstDirty !== null) {
      const last = this.ctx.storage.kv.get<number>(KEYS.lastRollupPushAt);
      const afterLast = last === undefined ? 0 : Math.floor(last / HOUR_MS) * HOUR_MS + HOUR_MS;
      due.push(Math.max(firstDirty + HOUR_MS, afterLast, this.ctx.storage.kv.get<number>(KEYS.rollupRetryAt) ?? 0));
    }
    const alertsDue = this.alerts.nextDueAt(agentWire.DEFAULT_METRICS_INTERVAL_SECONDS);
    if (alertsDue !== null) due.push(alertsDue);
    if (due.length === 0) return;
    // The alarm runs on the real clock; `now` may be offset (tests), so schedule by the distance from now.
    const at = Date.now() + Math.max(0, Math.min(...due) - now);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at || current < Date.now()) await this.ctx.storage.setAlarm(at);
  }

  // ---- Hello, metrics, spool loss -----------------------------------------------------------------

  private async onHello(ws: WebSocket, attachment: Extract<Attachment, { role: "agent" }>, hello: agentWire.Hello): Promise<void> {
    if (!supportsProtocol(hello.protocol)) {
      send(ws, { type: "error", code: "unsupported_protocol", message: `This edge speaks protocol ${PROTOCOL_VERSION}; the agent sent ${hello.protocol}` });
      closeQuietly(ws, CLOSE_CODES.unsupportedProtocol, "unsupported protocol");
      return;
    }
    const now = new Date();
    const facts = agentWire.hostFactsOf(hello);
    this.ctx.storage.kv.put(KEYS.hostFacts, facts);
    this.ctx.storage.kv.put(KEYS.lastHelloAt, now.toISOString());
    // The connect route has just read Postgres for the token, so the database is awake; the ack follows the
    // write so that an acknowledged agent is listed with its facts.
    try {
      // Rules are reloaded here too: a push the hub missed (it was unreachable) is caught up at the next connect.
      const rules = await withHubPostgres(this.env, attachment.agentId, (p) => this.ctx.waitUntil(p), async (db) => {
        await recordHello(db, attachment.agentId, facts, now);
        return alertRulesForAgent(db, attachment.tenantId, attachment.agentId);
      });
      this.alerts.setRules(rules);
    } catch (err) {
      this.logger.error("recording agent hello in Postgres failed", { agentId: attachment.agentId, tenantId: attachment.tenantId, err });
    }
    send(ws, helloAck(now));
    if (this.openViewers().length > 0) send(ws, { type: "set_interval", seconds: agentWire.LIVE_METRICS_INTERVAL_SECONDS });
  }

  /** Stores a batch once (by seq), acks cumulatively, and forwards it to live viewers. No Postgres. */
  private async onMetrics(ws: WebSocket, batch: agentWire.MetricsBatch): Promise<void> {
    const kv = this.ctx.storage.kv;
    const admitted = admitSeq(kv.get<SeqWindow>(KEYS.seq) ?? emptySeqWindow(), batch.seq);
    const now = this.now();
    if (admitted.fresh) {
      this.metrics.ingest(batch.samples, now);
      kv.put(KEYS.seq, admitted.window);
    }
    send(ws, { type: "metrics_ack", seq: admitted.window.contiguous });
    if (!admitted.fresh) return;
    const viewers = this.openViewers();
    if (viewers.length > 0) {
      const frame = JSON.stringify(batch);
      for (const viewer of viewers) sendText(viewer, frame);
    }
    await this.evaluateAlerts(batch.samples, now);
    await this.scheduleAlarm();
  }

  private onSpoolLoss(attachment: Extract<Attachment, { role: "agent" }>, loss: agentWire.SpoolLoss): void {
    const kv = this.ctx.storage.kv;
    const before = kv.get<SpoolLossRecord>(KEYS.spoolLoss);
    kv.put(KEYS.spoolLoss, {
      reports: (before?.reports ?? 0) + 1,
      droppedBatches: (before?.droppedBatches ?? 0) + loss.droppedBatches,
      droppedSamples: (before?.droppedSamples ?? 0) + loss.droppedSamples,
      lastReportAt: new Date(this.now()).toISOString(),
      oldestDroppedAt: new Date(loss.oldestDroppedAt).toISOString(),
    } satisfies SpoolLossRecord);
    this.logger.warn("agent spool dropped metrics", { agentId: attachment.agentId, tenantId: attachment.tenantId, ...loss });
  }

  private onRejectedReport(attachment: Extract<Attachment, { role: "agent" }>, report: agentWire.RejectedReport): void {
    const kv = this.ctx.storage.kv;
    kv.put(KEYS.agentRejected, (kv.get<number>(KEYS.agentRejected) ?? 0) + report.malformed + report.unknown);
    this.logger.warn("agent rejected messages from the edge", { agentId: attachment.agentId, tenantId: attachment.tenantId, ...report });
  }

  // ---- Jobs ---------------------------------------------------------------------------------------

  private onJobProgress(progress: agentWire.JobProgress): void {
    const kv = this.ctx.storage.kv;
    const job = kv.get<InFlightJob>(jobKey(progress.id));
    if (!job || job.outcome) return;
    kv.put(jobKey(job.id), { ...job, progress: [...job.progress, progress].slice(-PROGRESS_KEPT) } satisfies InFlightJob);
    this.relayToFollowers(progress.id, JSON.stringify(progress));
  }

  private async onJobResult(result: agentWire.JobResult, now: number): Promise<void> {
    if (this.quickReads.delete(result.id)) {
      const waiting = this.waiters.get(result.id);
      if (waiting) for (const done of [...waiting]) done(outcomeOfResult(result, now));
      return;
    }
    const job = this.ctx.storage.kv.get<InFlightJob>(jobKey(result.id));
    if (!job || job.outcome) {
      // A duplicate (the agent re-sent after a reconnect) or a job this hub never sent: the first end stands.
      this.count(KEYS.ignoredResults);
      return;
    }
    await this.finishJob(job, outcomeOfResult(result, now), result);
  }

  /**
   * Records the end once: in storage at once (so duplicates are ignored), answers the waiting callers, then
   * writes Postgres. The caller is not held for the write (a new Neon connection from the hub costs more than
   * the whole round trip to the agent); the stored outcome makes the write durable, and the alarm retries it.
   */
  private async finishJob(job: InFlightJob, outcome: JobOutcome, frame: agentWire.JobResult = resultFrameOf(job, outcome, job.startedAt)): Promise<void> {
    const ended: InFlightJob = { ...job, outcome };
    this.ctx.storage.kv.put(jobKey(job.id), ended);
    const followers = this.ctx.getWebSockets(jobTag(job.id));
    const text = followers.length > 0 ? JSON.stringify(frame) : null;
    for (const ws of followers) {
      if (text) sendText(ws, text);
      closeQuietly(ws, CLOSE_CODES.normal, "job finished");
    }
    const waiting = this.waiters.get(job.id);
    if (waiting) for (const done of [...waiting]) done(outcome);
    await this.persistJobEnd(ended);
  }

  private async persistJobEnd(job: InFlightJob): Promise<void> {
    if (!job.outcome) return;
    const outcome = job.outcome;
    if (job.recorded === false) {
      // A quick read: its caller has the answer and Postgres has no row for it.
      this.ctx.storage.kv.delete(jobKey(job.id));
      return;
    }
    this.persisting.add(job.id);
    try {
      await withHubPostgres(this.env, job.agentId, (p) => this.ctx.waitUntil(p), async (db) => {
        await recordJobEnd(db, job, outcome, job.startedAt);
        // A job that asked to be announced (jobs/job-notify.ts): the record stays until this is enqueued too.
        if (job.notify) await notifyJobEnd(this.env, db, job, outcome, this.logger);
      });
      this.ctx.storage.kv.delete(jobKey(job.id));
    } catch (err) {
      // Kept with its outcome; the alarm retries the write.
      this.logger.error("recording a job's end in Postgres failed", { agentId: job.agentId, tenantId: job.tenantId, jobId: job.id, err });
      await this.scheduleAlarm();
    } finally {
      this.persisting.delete(job.id);
    }
  }

  /** Calls `resolve` with the job's end, or null after `maxWaitMs`; the returned function gives up early (null). */
  private addWaiter(jobId: string, maxWaitMs: number, resolve: (outcome: JobOutcome | null) => void): () => void {
    const waiting = this.waiters.get(jobId) ?? new Set();
    this.waiters.set(jobId, waiting);
    const done = (outcome: JobOutcome | null) => {
      clearTimeout(timer);
      if (!waiting.delete(done)) return;
      if (waiting.size === 0) this.waiters.delete(jobId);
      resolve(outcome);
    };
    const timer = setTimeout(() => done(null), Math.max(0, maxWaitMs));
    waiting.add(done);
    return () => done(null);
  }

  private relayToFollowers(jobId: string, text: string): void {
    for (const ws of this.ctx.getWebSockets(jobTag(jobId))) if (isOpen(ws)) sendText(ws, text);
  }

  private inFlightJobs(): InFlightJob[] {
    return [...this.ctx.storage.kv.list<InFlightJob>({ prefix: JOB_PREFIX })].map(([, job]) => job);
  }

  // ---- Alerts -------------------------------------------------------------------------------------

  /** One engine step (new samples, or none from the alarm), then whatever it produced goes out. */
  private async evaluateAlerts(samples: readonly agentWire.Sample[], now: number): Promise<void> {
    const identity = this.ctx.storage.kv.get<Identity>(KEYS.identity);
    if (!identity) return;
    const host = { id: identity.agentId, name: this.ctx.storage.kv.get<agentWire.HostFacts>(KEYS.hostFacts)?.hostname ?? identity.agentId };
    this.alerts.evaluate(identity, host, samples, now, agentWire.DEFAULT_METRICS_INTERVAL_SECONDS);
    if (this.alerts.hasBacklog()) await this.alerts.deliver(identity, now, (p) => this.ctx.waitUntil(p));
  }

  // ---- Small pieces -------------------------------------------------------------------------------

  /** The hub's clock: real time, plus an offset that only tests set (HUB_CLOCK_OFFSET_KEY). */
  private now(): number {
    return Date.now() + (this.ctx.storage.kv.get<number>(HUB_CLOCK_OFFSET_KEY) ?? 0);
  }

  private agentSocket(): WebSocket | undefined {
    return this.ctx.getWebSockets("agent").find(isOpen);
  }

  private openViewers(except?: WebSocket): WebSocket[] {
    return this.ctx.getWebSockets("viewer").filter((ws) => ws !== except && isOpen(ws));
  }

  private setAgentInterval(seconds: number): void {
    const agent = this.agentSocket();
    if (agent) send(agent, { type: "set_interval", seconds });
  }

  /**
   * Any message clears a silence; heartbeats are seen through the auto-response timestamp instead. Stored at most
   * every TOUCH_STORE_MS: each write holds this object's next outgoing message (a job's answer) behind the output gate.
   */
  private touch(now: number): void {
    const kv = this.ctx.storage.kv;
    if (Math.abs(now - this.touchStoredAt) >= TOUCH_STORE_MS) {
      kv.put(KEYS.lastMessageAt, now);
      this.touchStoredAt = now;
    }
    if (kv.get<number>(KEYS.silentSince) !== undefined) kv.delete(KEYS.silentSince);
  }

  /** The later of the last message and the last heartbeat answered by auto-response (on the hub's clock). */
  private lastActivity(): number | null {
    const lastMessage = this.ctx.storage.kv.get<number>(KEYS.lastMessageAt) ?? null;
    const agent = this.agentSocket();
    const pinged = agent ? this.ctx.getWebSocketAutoResponseTimestamp(agent) : null;
    const pingedAt = pinged ? pinged.getTime() + (this.ctx.storage.kv.get<number>(HUB_CLOCK_OFFSET_KEY) ?? 0) : null;
    if (lastMessage === null) return pingedAt;
    return pingedAt === null ? lastMessage : Math.max(lastMessage, pingedAt);
  }

  private count(key: string): void {
    const kv = this.ctx.storage.kv;
    kv.put(key, (kv.get<number>(key) ?? 0) + 1);
  }
}
