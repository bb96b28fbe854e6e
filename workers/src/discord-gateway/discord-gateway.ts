// DiscordGateway: one Durable Object per bot ("bot") holding the Discord Gateway websocket. Outbound websockets never
// hibernate, so this is the only object that holds one. It heartbeats from its alarm, notices a zombie connection (no
// HEARTBEAT_ACK) and reconnects, keeps session id / seq / resume URL in storage so it RESUMEs after cuts, restarts
// and deploys, IDENTIFYs only when Discord dropped the session (within the daily session_start_limit and 1 per 5 s),
// and never reconnects after 4004/4013/4014. Dispatches become internal events, handed off to gateway-events.ts.
import { discordGatewayWire } from "@nebula/schema";
import { DurableObject } from "cloudflare:workers";
import { loadConfig } from "../config/config.ts";
import { DiscordRest } from "../discord-rest/discord-rest.ts";
import { sharedLimitsOf } from "../discord-rest/shared-limits.ts";
import type { Env } from "../env.ts";
import { type Logger, createLogger } from "../logging/logger.ts";
import { type ScreeningMemory, type StreamingMemory, eventsOfDispatch } from "./gateway-dispatch.ts";
import { type GatewayEvent, deliverGatewayEvents } from "./gateway-events.ts";
import {
  type GatewaySession,
  type IdentifyBudget,
  connectUrl,
  firstHeartbeatDelay,
  invalidSessionDelay,
  planConnect,
  reconnectDelay,
  spendIdentify,
  verdictOfClose,
} from "./gateway-session.ts";

const W = discordGatewayWire;
const OP = W.GatewayOpcode;

/** The watchdog alarm: a gateway that should run but has no socket (evicted, redeployed) reconnects within this. */
export const WATCHDOG_MS = 60_000;
/** Our own closes use a 4xxx code: Discord invalidates the session on 1000/1001, and we want to RESUME it. */
const RECONNECT_CLOSE = 4900;
/** Failed connections to the resume URL before the session is given up for a fresh IDENTIFY. */
const RESUME_ATTEMPTS = 3;
/** Frames longer than this are not parsed (Discord's largest, GUILD_CREATE of a big guild, stays well below). */
const MAX_FRAME_CHARS = 8 * 1024 * 1024;

/**
 * Storage keys only tests write, as AgentHub's clock offset: a clock offset (ms added to Date.now(), so tests live
 * through heartbeats and identify waits without waiting) and a REST base URL replacing DISCORD_API_BASE for this object.
 */
export const GATEWAY_TEST_KEYS = { clockOffsetMs: "test.clockOffsetMs", apiBase: "test.apiBase" } as const;

const KEYS = {
  desired: "desired",
  session: "session",
  budget: "budget",
  lastIdentifyAt: "lastIdentifyAt",
  identifies: "identifies",
  resumes: "resumes",
  lastAckAt: "lastHeartbeatAckAt",
  lastClose: "lastClose",
  fatal: "fatal",
  malformed: "malformed",
  wait: "wait",
} as const;

type Desired = "running" | "stopped";
interface LastClose {
  code: number;
  reason: string;
  at: string;
}
interface Fatal {
  reason: string;
  /** A hash of the token that was refused: a new token lifts the stop (gatewayTokenTag). */
  tokenTag: string;
  at: string;
}
interface Wait {
  until: number;
  reason: "identify-budget" | "identify-spacing" | "reconnect" | "invalid-session";
}

export type GatewayState = "not_configured" | "stopped" | "connecting" | "connected" | "waiting" | "failed";

export interface GatewayStatus {
  state: GatewayState;
  /** A live socket on which READY or RESUMED arrived. */
  connected: boolean;
  sessionId: string | null;
  seq: number | null;
  resumeUrl: string | null;
  heartbeatIntervalMs: number | null;
  lastHeartbeatAckAt: string | null;
  /** IDENTIFYs this bot has sent (lifetime), and Discord's daily budget as last seen. */
  identifies: number;
  resumes: number;
  identifyBudget: { total: number; remaining: number; resetAt: string } | null;
  waiting: { until: string; reason: Wait["reason"] } | null;
  lastClose: LastClose | null;
  /** Why the gateway stopped for good (bad token, disallowed intents); cleared by start() or a new token. */
  error: string | null;
  /** Frames that were not valid Gateway payloads: counted and ignored. */
  malformed: number;
}

export class DiscordGateway extends DurableObject<Env> {
  private logger: Logger;
  private socket: WebSocket | null = null;
  /** Bumped for every socket: events of a socket we replaced or closed ourselves are ignored. */
  private generation = 0;
  private connecting: Promise<void> | null = null;
  /** What the open socket does on HELLO. */
  private handshake: "identify" | "resume" = "identify";
  private ready = false;
  private heartbeatIntervalMs: number | null = null;
  private nextHeartbeatAt: number | null = null;
  private awaitingAck = false;
  /** Connection attempts that failed before READY/RESUMED: they set the backoff. */
  private failures = 0;
  private session: GatewaySession | null = null;
  private delivery: Promise<void> = Promise.resolve();
  private changeWaiters: (() => void)[] = [];

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.logger = createLogger({ service: "discord-gateway", gateway: ctx.id.name ?? ctx.id.toString() }, env.LOG_LEVEL === "debug" || env.LOG_LEVEL === "warn" || env.LOG_LEVEL === "error" ? env.LOG_LEVEL : "info");
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS streaming (guild_id TEXT NOT NULL, user_id TEXT NOT NULL, url TEXT NOT NULL, PRIMARY KEY (guild_id, user_id))`);
      ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS screening (guild_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (guild_id, user_id))`);
      this.session = ctx.storage.kv.get<GatewaySession>(KEYS.session) ?? null;
    });
  }

  // ---- RPC ----

  /** Starts (or restarts after a fatal close) the gateway. */
  async start(): Promise<GatewayStatus> {
    this.kv.put(KEYS.desired, "running" satisfies Desired);
    this.kv.delete(KEYS.fatal);
    this.kv.delete(KEYS.wait);
    await this.dial();
    return this.status();
  }

  /** The cron's and the watchdog's call: reconnects unless an operator stopped it or Discord refused it for good. */
  async ensureRunning(): Promise<GatewayStatus> {
    if (this.kv.get<Desired>(KEYS.desired) === "stopped") return this.status();
    const fatal = this.kv.get<Fatal>(KEYS.fatal);
    if (fatal) {
      if (fatal.tokenTag === (await this.tokenTag())) return this.status();
      this.kv.delete(KEYS.fatal);
    }
    this.kv.put(KEYS.desired, "running" satisfies Desired);
    await this.dial();
    return this.status();
  }

  /** Closes the socket and keeps the session, so a later start() still RESUMEs. */
  async stop(): Promise<GatewayStatus> {
    this.kv.put(KEYS.desired, "stopped" satisfies Desired);
    this.kv.delete(KEYS.wait);
    this.dropSocket(RECONNECT_CLOSE, "stopped");
    await this.ctx.storage.deleteAlarm();
    return this.status();
  }

  async status(): Promise<GatewayStatus> {
    return this.statusNow();
  }

  /** Resolves on the next change of state (a frame handled, a close, a reconnect): tests wait on it, never sleep. */
  nextChange(): Promise<void> {
    return new Promise((resolve) => this.changeWaiters.push(resolve));
  }

  statusNow(): GatewayStatus {
    const budget = this.kv.get<IdentifyBudget>(KEYS.budget) ?? null;
    const wait = this.kv.get<Wait>(KEYS.wait) ?? null;
    const fatal = this.kv.get<Fatal>(KEYS.fatal) ?? null;
    const desired = this.kv.get<Desired>(KEYS.desired);
    const lastAck = this.kv.get<number>(KEYS.lastAckAt);
    let state: GatewayState;
    if (!this.env.DISCORD_BOT_TOKEN) state = "not_configured";
    else if (fatal) state = "failed";
    else if (this.ready && this.socket) state = "connected";
    else if (this.socket || this.connecting) state = "connecting";
    else if (wait) state = "waiting";
    else state = desired === "running" ? "connecting" : "stopped";
    return {
      state,
      connected: state === "connected",
      sessionId: this.session?.sessionId ?? null,
      seq: this.session?.seq ?? null,
      resumeUrl: this.session?.resumeUrl ?? null,
      heartbeatIntervalMs: this.heartbeatIntervalMs,
      lastHeartbeatAckAt: lastAck ? new Date(lastAck).toISOString() : null,
      identifies: this.kv.get<number>(KEYS.identifies) ?? 0,
      resumes: this.kv.get<number>(KEYS.resumes) ?? 0,
      identifyBudget: budget ? { total: budget.total, remaining: budget.remaining, resetAt: new Date(budget.resetAt).toISOString() } : null,
      waiting: wait && !this.socket ? { until: new Date(wait.until).toISOString(), reason: wait.reason } : null,
      lastClose: this.kv.get<LastClose>(KEYS.lastClose) ?? null,
      error: fatal?.reason ?? null,
      malformed: this.kv.get<number>(KEYS.malformed) ?? 0,
    };
  }

  // ---- Alarm: heartbeats, waits and the watchdog share the object's one alarm ----

  override async alarm(): Promise<void> {
    const now = this.now();
    if (this.socket && this.nextHeartbeatAt !== null && now >= this.nextHeartbeatAt) {
      if (this.awaitingAck) {
        // Discord: no HEARTBEAT_ACK between two heartbeats means a zombie connection: close it (not with 1000/1001,
        // which would invalidate the session) and RESUME on a new one.
        this.logger.warn("no heartbeat ack: zombie connection, reconnecting");
        this.recordClose(RECONNECT_CLOSE, "zombie connection (no heartbeat ack)");
        this.dropSocket(RECONNECT_CLOSE, "zombie connection");
      } else {
        this.sendHeartbeat();
        this.nextHeartbeatAt = now + (this.heartbeatIntervalMs ?? 41_250);
      }
    }
    const wait = this.kv.get<Wait>(KEYS.wait);
    if (!this.socket && this.shouldRun() && (!wait || now >= wait.until)) await this.dial();
    await this.scheduleAlarm();
    this.changed();
  }

  // ---- Connecting ----

  private async dial(): Promise<void> {
    if (this.socket || !this.shouldRun()) return;
    if (!this.connecting) {
      this.connecting = this.openSocket().finally(() => {
        this.connecting = null;
      });
    }
    await this.connecting;
    await this.scheduleAlarm();
    this.changed();
  }

  private async openSocket(): Promise<void> {
    const token = this.env.DISCORD_BOT_TOKEN;
    if (!token) return;
    let plan = planConnect({ session: this.session, budget: this.kv.get<IdentifyBudget>(KEYS.budget) ?? null, lastIdentifyAt: this.kv.get<number>(KEYS.lastIdentifyAt) ?? null, now: this.now() });
    if (plan.kind === "fetch-budget") {
      if (!(await this.fetchBudget())) return;
      plan = planConnect({ session: this.session, budget: this.kv.get<IdentifyBudget>(KEYS.budget) ?? null, lastIdentifyAt: this.kv.get<number>(KEYS.lastIdentifyAt) ?? null, now: this.now() });
    }
    if (plan.kind === "fetch-budget") {
      this.waitFor({ until: this.now() + reconnectDelay(++this.failures, Math.random()), reason: "reconnect" });
      return;
    }
    if (plan.kind === "wait") {
      if (plan.reason === "identify-budget") this.logger.warn("identify budget exhausted: waiting for Discord's reset", { until: new Date(plan.until).toISOString() });
      this.waitFor({ until: plan.until, reason: plan.reason });
      return;
    }
    this.kv.delete(KEYS.wait);
    let ws: WebSocket | null = null;
    try {
      const res = await fetch(connectUrl(plan.url), { headers: { Upgrade: "websocket" } });
      ws = res.webSocket;
      if (!ws) throw new Error(`gateway answered HTTP ${res.status} instead of a websocket`);
    } catch (err) {
      this.failures += 1;
      this.logger.warn("gateway connection failed", { err, failures: this.failures });
      // A resume URL that keeps failing is not worth insisting on: after a few tries, start a new session instead.
      if (plan.kind === "resume" && this.failures >= RESUME_ATTEMPTS) this.forgetSession();
      this.waitFor({ until: this.now() + reconnectDelay(this.failures, Math.random()), reason: "reconnect" });
      return;
    }
    if (!this.shouldRun()) {
      // stop() (or a fatal close) came while the upgrade was in flight.
      ws.close(RECONNECT_CLOSE, "stopped");
      return;
    }
    ws.accept();
    const generation = ++this.generation;
    this.socket = ws;
    this.handshake = plan.kind;
    this.ready = false;
    this.awaitingAck = false;
    this.nextHeartbeatAt = null;
    ws.addEventListener("message", (event) => this.onFrame(generation, event.data));
    // workerd reports a close frame as "close" (then "error"), and a connection lost without one as "error" only.
    ws.addEventListener("close", (event) => this.onDropped(generation, event.code, event.reason));
    ws.addEventListener("error", () => this.onDropped(generation, 1006, "connection lost"));
  }

  /** GET /gateway/bot: the URL and today's IDENTIFY budget. False when it could not be had (a wait is scheduled). */
  private async fetchBudget(): Promise<boolean> {
    const config = loadConfig(this.env);
    const rest = new DiscordRest({
      baseUrl: this.kv.get<string>(GATEWAY_TEST_KEYS.apiBase) ?? config.DISCORD_API_BASE,
      ...(config.DISCORD_BOT_TOKEN ? { botToken: config.DISCORD_BOT_TOKEN } : {}),
      now: () => this.now(),
      ...sharedLimitsOf(this.env.DISCORD_LIMITS, config.DISCORD_BOT_TOKEN, { waitUntil: (work) => this.ctx.waitUntil(work), onUnavailable: (err) => this.logger.warn("DiscordLimits unreachable; limiting alone", { err }) }),
    });
    const result = await rest.send({ method: "GET", path: "/gateway/bot", auth: "bot" });
    if (result.kind === "ok") {
      const parsed = W.GatewayBot.safeParse(result.body);
      if (parsed.success) {
        const now = this.now();
        const limit = parsed.data.session_start_limit;
        this.kv.put(KEYS.budget, { url: parsed.data.url, total: limit.total, remaining: limit.remaining, resetAt: now + limit.reset_after, maxConcurrency: limit.max_concurrency, fetchedAt: now } satisfies IdentifyBudget);
        return true;
      }
      this.logger.warn("GET /gateway/bot answered an unexpected shape");
    } else if (result.kind === "rejected" && result.status === 401) {
      await this.fail("Discord refused the bot token (401 on GET /gateway/bot)");
      return false;
    }
    this.failures += 1;
    const at = result.kind === "retry" ? Math.max(result.at, this.now() + reconnectDelay(this.failures, Math.random())) : this.now() + reconnectDelay(this.failures, Math.random());
    this.waitFor({ until: at, reason: "reconnect" });
    return false;
  }

  // ---- Frames ----

  private onFrame(generation: number, data: unknown): void {
    if (generation !== this.generation) return;
    if (typeof data !== "string" || data.length > MAX_FRAME_CHARS) {
      this.malformed("not a JSON text frame");
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(data);
    } catch {
      this.malformed("invalid JSON");
      return;
    }
    const parsed = W.GatewayPayload.safeParse(raw);
    if (!parsed.success) {
      this.malformed("not a gateway payload");
      return;
    }
    const frame = parsed.data;
    switch (frame.op) {
      case OP.HELLO:
        this.onHello(frame.d);
        break;
      case OP.HEARTBEAT:
        // Discord may ask for a heartbeat at any time: answer at once.
        this.sendHeartbeat();
        break;
      case OP.HEARTBEAT_ACK:
        this.awaitingAck = false;
        this.kv.put(KEYS.lastAckAt, this.now());
        break;
      case OP.RECONNECT:
        this.logger.info("discord asked for a reconnect");
        this.recordClose(RECONNECT_CLOSE, "discord asked to reconnect (op 7)");
        this.dropSocket(RECONNECT_CLOSE, "reconnect requested");
        this.waitFor({ until: this.now(), reason: "reconnect" });
        break;
      case OP.INVALID_SESSION:
        this.onInvalidSession(frame.d);
        break;
      case OP.DISPATCH:
        this.onDispatch(frame);
        break;
      default:
        this.malformed(`unknown opcode ${frame.op}`);
    }
    this.changed();
  }

  private onHello(d: unknown): void {
    const hello = W.Hello.safeParse(d);
    if (!hello.success) {
      this.malformed("HELLO without heartbeat_interval");
      return;
    }
    const now = this.now();
    this.heartbeatIntervalMs = hello.data.heartbeat_interval;
    this.nextHeartbeatAt = now + firstHeartbeatDelay(hello.data.heartbeat_interval, Math.random());
    const token = this.env.DISCORD_BOT_TOKEN ?? "";
    if (this.handshake === "resume" && this.session) {
      this.send({ op: OP.RESUME, d: { token, session_id: this.session.sessionId, seq: this.session.seq } });
      this.kv.put(KEYS.resumes, (this.kv.get<number>(KEYS.resumes) ?? 0) + 1);
    } else {
      this.send({ op: OP.IDENTIFY, d: { token, intents: W.NEBULA_INTENTS, properties: { os: "linux", browser: "nebula-command", device: "nebula-command" } } });
      this.kv.put(KEYS.lastIdentifyAt, now);
      this.kv.put(KEYS.identifies, (this.kv.get<number>(KEYS.identifies) ?? 0) + 1);
      const budget = this.kv.get<IdentifyBudget>(KEYS.budget);
      if (budget) this.kv.put(KEYS.budget, spendIdentify(budget));
    }
    this.ctx.waitUntil(this.scheduleAlarm());
  }

  private onInvalidSession(d: unknown): void {
    const resumable = d === true;
    this.logger.info("discord invalidated the session", { resumable });
    if (!resumable) this.forgetSession();
    this.recordClose(RECONNECT_CLOSE, resumable ? "invalid session (resumable)" : "invalid session");
    this.dropSocket(RECONNECT_CLOSE, "invalid session");
    // Discord: wait a random 1–5 s before sending IDENTIFY (or RESUME) again.
    this.waitFor({ until: this.now() + invalidSessionDelay(Math.random()), reason: "invalid-session" });
  }

  private onDispatch(frame: discordGatewayWire.GatewayPayload): void {
    const seq = frame.s;
    if (typeof seq !== "number" || typeof frame.t !== "string") {
      this.malformed("dispatch without s or t");
      return;
    }
    if (frame.t === "READY") {
      const ready = W.Ready.safeParse(frame.d);
      if (!ready.success) {
      this.malformed("READY without session_id or resume_gateway_url");
      return;
    }
      this.session = { sessionId: ready.data.session_id, seq, resumeUrl: ready.data.resume_gateway_url };
      this.kv.put(KEYS.session, this.session);
      this.connectedNow();
      this.logger.info("gateway ready", { sessionId: ready.data.session_id });
      return;
    }
    if (!this.session) {
      this.malformed(`${frame.t} before READY`);
      return;
    }
    // A RESUME replays what was missed; anything at or below the seq we hold was already handled.
    if (this.session.seq !== null && seq <= this.session.seq) return;
    this.session = { ...this.session, seq };
    this.kv.put(KEYS.session, this.session);
    if (frame.t === "RESUMED") {
      this.connectedNow();
      this.logger.info("gateway resumed", { sessionId: this.session.sessionId, seq });
      return;
    }
    const result = eventsOfDispatch(frame.t, frame.d, { sessionId: this.session.sessionId, seq, streaming: this.streaming, screening: this.screening });
    if (!result.ok) {
      this.malformed(result.error);
      return;
    }
    this.deliver(result.events);
  }

  private onDropped(generation: number, code: number, reason: string): void {
    if (generation !== this.generation) return;
    // One drop per socket, whether "error", "close" or both arrive.
    this.generation += 1;
    const wasReady = this.ready;
    this.socket = null;
    this.ready = false;
    this.nextHeartbeatAt = null;
    this.recordClose(code, reason);
    const verdict = verdictOfClose(code);
    this.logger.warn("gateway connection closed", { code, reason, verdict: verdict.kind });
    if (verdict.kind === "fatal") {
      this.ctx.waitUntil(this.fail(verdict.reason));
      this.changed();
      return;
    }
    if (verdict.kind === "identify") this.forgetSession();
    if (!wasReady) this.failures += 1;
    // Reconnect from the alarm (at once when the delay is 0), never from this event: the socket's events run in the
    // context of the request that opened it, and a new connection must not be tied to that one.
    this.waitFor({ until: this.now() + reconnectDelay(this.failures, Math.random()), reason: "reconnect" });
    this.changed();
  }

  // ---- Helpers ----

  private connectedNow(): void {
    this.ready = true;
    this.failures = 0;
    this.kv.delete(KEYS.wait);
  }

  private sendHeartbeat(): void {
    // Discord: d is the last sequence number received, or null.
    this.send({ op: OP.HEARTBEAT, d: this.session?.seq ?? null });
    this.awaitingAck = true;
  }

  private send(payload: unknown): void {
    try {
      this.socket?.send(JSON.stringify(payload));
    } catch (err) {
      this.logger.warn("gateway send failed", { err });
    }
  }

  /** Closes our socket without reporting its close event; the caller decides what comes next. */
  private dropSocket(code: number, reason: string): void {
    const ws = this.socket;
    this.generation += 1;
    this.socket = null;
    this.ready = false;
    this.nextHeartbeatAt = null;
    this.awaitingAck = false;
    if (!ws) return;
    try {
      ws.close(code, reason);
    } catch {
      // Already closed.
    }
  }

  private forgetSession(): void {
    this.session = null;
    this.kv.delete(KEYS.session);
  }

  private async fail(reason: string): Promise<void> {
    this.logger.error("gateway stopped: discord refused the connection for good", { reason });
    this.kv.put(KEYS.fatal, { reason, tokenTag: await this.tokenTag(), at: new Date(this.now()).toISOString() } satisfies Fatal);
    this.kv.delete(KEYS.wait);
    this.dropSocket(RECONNECT_CLOSE, "stopped");
    await this.ctx.storage.deleteAlarm();
    this.changed();
  }

  private waitFor(wait: Wait): void {
    this.kv.put(KEYS.wait, wait);
    this.ctx.waitUntil(this.scheduleAlarm());
  }

  private recordClose(code: number, reason: string): void {
    this.kv.put(KEYS.lastClose, { code, reason: reason.slice(0, 200), at: new Date(this.now()).toISOString() } satisfies LastClose);
  }

  private malformed(why: string): void {
    this.kv.put(KEYS.malformed, (this.kv.get<number>(KEYS.malformed) ?? 0) + 1);
    this.logger.warn("malformed gateway frame ignored", { why });
  }

  /** Hands events off in order, never waiting for them: a slow feature must not delay heartbeats. */
  private deliver(events: GatewayEvent[]): void {
    if (events.length === 0) return;
    this.delivery = this.delivery
      .then(() => deliverGatewayEvents(this.env, events))
      .catch((err) => this.logger.error("gateway events could not be handed off", { err, ids: events.map((e) => e.id) }));
    this.ctx.waitUntil(this.delivery);
  }

  private shouldRun(): boolean {
    return !!this.env.DISCORD_BOT_TOKEN && this.kv.get<Desired>(KEYS.desired) === "running" && !this.kv.get<Fatal>(KEYS.fatal);
  }

  /** One alarm for everything: the next heartbeat, the end of a wait, or the watchdog. */
  private async scheduleAlarm(): Promise<void> {
    if (!this.shouldRun()) return;
    const now = this.now();
    const wait = this.kv.get<Wait>(KEYS.wait);
    // A wait's end is its own watchdog; with a socket, the heartbeat comes first.
    const candidates = [now + WATCHDOG_MS];
    if (this.socket && this.nextHeartbeatAt !== null) candidates.push(this.nextHeartbeatAt);
    else if (!this.socket && wait) candidates.splice(0, 1, wait.until);
    const at = Math.min(...candidates);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at || current < now) await this.ctx.storage.setAlarm(at);
  }

  private changed(): void {
    const waiters = this.changeWaiters;
    this.changeWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private get kv(): SyncKvStorage {
    return this.ctx.storage.kv;
  }

  private now(): number {
    return Date.now() + (this.kv.get<number>(GATEWAY_TEST_KEYS.clockOffsetMs) ?? 0);
  }

  private async tokenTag(): Promise<string> {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(this.env.DISCORD_BOT_TOKEN ?? ""));
    return [...new Uint8Array(digest).slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  private readonly streaming: StreamingMemory = {
    get: (guildId, userId) =>
      this.ctx.storage.sql.exec<{ url: string }>("SELECT url FROM streaming WHERE guild_id = ? AND user_id = ?", guildId, userId).toArray()[0]?.url,
    set: (guildId, userId, url) => {
      this.ctx.storage.sql.exec("INSERT INTO streaming (guild_id, user_id, url) VALUES (?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET url = excluded.url", guildId, userId, url);
    },
    delete: (guildId, userId) => {
      this.ctx.storage.sql.exec("DELETE FROM streaming WHERE guild_id = ? AND user_id = ?", guildId, userId);
    },
    usersIn: (guildId) => this.ctx.storage.sql.exec<{ user_id: string }>("SELECT user_id FROM streaming WHERE guild_id = ?", guildId).toArray().map((r) => r.user_id),
  };

  private readonly screening: ScreeningMemory = {
    add: (guildId, userId) => {
      this.ctx.storage.sql.exec("INSERT INTO screening (guild_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING", guildId, userId);
    },
    take: (guildId, userId) => this.ctx.storage.sql.exec("DELETE FROM screening WHERE guild_id = ? AND user_id = ? RETURNING user_id", guildId, userId).toArray().length > 0,
  };
}

/** The bot's gateway: one per bot token, named "bot". */
export function getDiscordGatewayByName(ns: DurableObjectNamespace<DiscordGateway>, name = "bot"): DurableObjectStub<DiscordGateway> {
  return ns.getByName(name);
}
