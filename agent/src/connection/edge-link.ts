// The agent's one connection to the edge: dials OUT to <edge>/agent/connect with its token, says hello, keeps
// the link alive with "ping" frames, and reconnects with backoff whenever the link drops or is refused.
import { EventEmitter } from "node:events";
import {
  type AgentMessage,
  CLOSE_CODES,
  EdgeMessage,
  HEARTBEAT_INTERVAL_SECONDS,
  HEARTBEAT_PING,
  HEARTBEAT_PONG,
  type Hello,
  type HelloAck,
  type HostFacts,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
} from "@nebula/schema/wire/agent";
import WebSocket from "ws";
import { type Logger, silentLogger } from "../logging/logger.ts";
import { type BackoffPolicy, DEFAULT_BACKOFF, backoffDelay } from "./backoff.ts";

export interface EdgeLinkOptions {
  /** The edge's public address (https://…); http(s) becomes ws(s). */
  edgeUrl: string;
  token: string;
  /** Read on every connection, so a renamed host reports its new name. */
  hostFacts: () => HostFacts;
  backoff?: BackoffPolicy;
  /** A connection that lived this long after hello_ack resets the backoff. */
  stableAfterMs?: number;
  /** Overrides the interval the edge announces in hello_ack. */
  heartbeatMs?: number;
  /** At most one rejected_report per this many ms (default REJECTED_REPORT_MS). */
  rejectedReportMs?: number;
  random?: () => number;
  now?: () => number;
  logger?: Logger;
}

export interface LinkEvents {
  /** hello_ack received: the edge knows this agent. */
  ready: [ack: HelloAck];
  message: [message: EdgeMessage];
  /** The edge refused the upgrade (401: token invalid or revoked). */
  rejected: [info: { status: number }];
  closed: [info: { code: number; reason: string }];
  /** A reconnect is scheduled: `attempt` counts consecutive failures since the last stable connection. */
  retry: [info: { attempt: number; delayMs: number }];
  pong: [];
}

const STOP_TIMEOUT_MS = 5_000;
const HANDSHAKE_TIMEOUT_MS = 15_000;
/** At most one rejected_report per this interval. */
const REJECTED_REPORT_MS = 5_000;

export function connectUrl(edgeUrl: string): string {
  const url = new URL(edgeUrl);
  if (url.protocol === "https:") url.protocol = "wss:";
  else if (url.protocol === "http:") url.protocol = "ws:";
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/agent/connect`;
  url.search = "";
  url.hash = "";
  return url.toString();
}

function closeHint(code: number): string | undefined {
  if (code === CLOSE_CODES.replaced) return "another process connected with this agent's token";
  if (code === CLOSE_CODES.revoked) return "this agent's token was revoked in the dashboard";
  if (code === CLOSE_CODES.unsupportedProtocol) return "the edge does not speak this agent's protocol version: update the agent";
  if (code === CLOSE_CODES.messageTooBig) return "the edge refused a message as too big";
  return undefined;
}

export class EdgeLink extends EventEmitter<LinkEvents> {
  private readonly options: EdgeLinkOptions;
  private readonly url: string;
  private readonly backoff: BackoffPolicy;
  private readonly stableAfterMs: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly logger: Logger;

  private ws: WebSocket | null = null;
  private stopped = true;
  private failures = 0;
  private ackAt: number | null = null;
  /** The HTTP status of the current dial when the edge refused the upgrade. */
  private refusedWith: number | null = null;
  private lastPongAt = 0;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private reconnect: ReturnType<typeof setTimeout> | null = null;
  /** Edge messages this agent could not use since it started, and those not yet reported to the edge. */
  private readonly rejected = { malformed: 0, unknown: 0 };
  private readonly unreported = { malformed: 0, unknown: 0 };
  private lastRejectedReportAt = Number.NEGATIVE_INFINITY;
  private rejectedReportTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: EdgeLinkOptions) {
    super();
    this.options = options;
    this.url = connectUrl(options.edgeUrl);
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.stableAfterMs = options.stableAfterMs ?? 60_000;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? silentLogger;
  }

  get connected(): boolean {
    return this.ackAt !== null && this.ws?.readyState === WebSocket.OPEN;
  }

  /** Sends one message on the current connection; false while the link is down or the edge has not acked hello. */
  send(message: AgentMessage): boolean {
    const ws = this.ws;
    if (!ws || !this.connected) return false;
    ws.send(JSON.stringify(message));
    return true;
  }

  /** Messages from the edge that were not JSON or not a known message, since the agent started. */
  get rejectedMessages(): Readonly<{ malformed: number; unknown: number }> {
    return { ...this.rejected };
  }

  private reject(kind: "malformed" | "unknown"): void {
    this.rejected[kind]++;
    this.unreported[kind]++;
    this.reportRejected();
  }

  /**
   * Tells the edge what it sent that this agent could not use, so the dashboard shows both sides' counts. At most one
   * report per REJECTED_REPORT_MS: an edge sending garbage must not make the agent answer every frame.
   */
  private reportRejected(): void {
    if (this.unreported.malformed + this.unreported.unknown === 0 || this.rejectedReportTimer) return;
    const wait = this.lastRejectedReportAt + (this.options.rejectedReportMs ?? REJECTED_REPORT_MS) - this.now();
    if (wait > 0) {
      this.rejectedReportTimer = setTimeout(() => {
        this.rejectedReportTimer = null;
        this.reportRejected();
      }, wait);
      this.rejectedReportTimer.unref?.();
      return;
    }
    // Offline: kept until the next hello_ack.
    if (!this.send({ type: "rejected_report", ...this.unreported })) return;
    this.lastRejectedReportAt = this.now();
    this.unreported.malformed = 0;
    this.unreported.unknown = 0;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.dial();
  }

  /** Closes the link cleanly (1000) and stops reconnecting; resolves once the socket is closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnect) clearTimeout(this.reconnect);
    this.reconnect = null;
    if (this.rejectedReportTimer) clearTimeout(this.rejectedReportTimer);
    this.rejectedReportTimer = null;
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(CLOSE_CODES.normal, "agent stopping");
    // An edge that never completes the closing handshake must not hold up shutdown.
    const force = setTimeout(() => ws.terminate(), STOP_TIMEOUT_MS);
    await closed;
    clearTimeout(force);
  }

  private dial(): void {
    this.ackAt = null;
    this.refusedWith = null;
    const ws = new WebSocket(this.url, {
      headers: { authorization: `Bearer ${this.options.token}` },
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      // Edge messages are bounded like agent messages; job results and logs are chunked below this.
      maxPayload: MAX_MESSAGE_BYTES,
      // No permessage-deflate: a few KB of metrics every 10 s gain little from it, and it would load zlib (~2 MB RSS)
      // and keep a deflate and an inflate context in the resting agent for the life of the connection.
      perMessageDeflate: false,
    });
    this.ws = ws;
    ws.on("open", () => this.onOpen(ws));
    ws.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    ws.on("unexpected-response", (_req, res) => {
      const status = res.statusCode ?? 0;
      this.refusedWith = status;
      this.emit("rejected", { status });
      res.resume();
      ws.terminate();
    });
    // Errors are always followed by "close", which decides what happens next; a refusal is reported there.
    ws.on("error", (err) => {
      if (this.refusedWith === null) this.logger.warn("edge link error", { err });
    });
    ws.on("close", (code, reason) => this.onClose(ws, code, reason.toString()));
  }

  private onOpen(ws: WebSocket): void {
    const facts = this.options.hostFacts();
    ws.send(JSON.stringify({ type: "hello", protocol: PROTOCOL_VERSION, ...facts } satisfies Hello));
    this.lastPongAt = this.now();
    this.startHeartbeat(ws, this.options.heartbeatMs ?? HEARTBEAT_INTERVAL_SECONDS * 1000);
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (isBinary) {
      this.logger.warn("ignoring binary frame from the edge");
      this.reject("malformed");
      return;
    }
    const text = data.toString();
    if (text === HEARTBEAT_PONG) {
      this.lastPongAt = this.now();
      this.emit("pong");
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.logger.warn("ignoring malformed message from the edge");
      this.reject("malformed");
      return;
    }
    const parsed = EdgeMessage.safeParse(value);
    if (!parsed.success) {
      this.logger.warn("ignoring unknown message from the edge", { type: (value as { type?: unknown })?.type });
      this.reject("unknown");
      return;
    }
    const message = parsed.data;
    if (message.type === "hello_ack") {
      this.ackAt = this.now();
      if (this.options.heartbeatMs === undefined && this.ws) this.startHeartbeat(this.ws, message.heartbeatSeconds * 1000);
      this.logger.info("connected to the edge", { url: this.url, protocol: message.protocol });
      this.emit("ready", message);
      this.reportRejected();
    } else if (message.type === "error") {
      this.logger.warn("the edge rejected a message", { code: message.code, message: message.message });
    }
    this.emit("message", message);
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.stopHeartbeat();
    const stable = this.ackAt !== null && this.now() - this.ackAt >= this.stableAfterMs;
    this.ws = null;
    this.ackAt = null;
    this.emit("closed", { code, reason });
    if (this.stopped) return;
    if (stable) this.failures = 0;
    this.failures++;
    const delayMs = backoffDelay(this.failures, this.backoff, this.random);
    if (this.refusedWith !== null) {
      const status = this.refusedWith;
      this.logger.error("edge refused the connection; retrying", { status, hint: status === 401 ? "token invalid or revoked" : undefined, attempt: this.failures, delayMs });
    } else {
      const hint = closeHint(code);
      (hint ? this.logger.warn : this.logger.info)("edge link closed; reconnecting", { code, reason, hint, attempt: this.failures, delayMs });
    }
    this.emit("retry", { attempt: this.failures, delayMs });
    this.reconnect = setTimeout(() => {
      this.reconnect = null;
      if (!this.stopped) this.dial();
    }, delayMs);
  }

  private startHeartbeat(ws: WebSocket, intervalMs: number): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => {
      // Two intervals without a pong: the path is dead even if TCP has not noticed; drop it and redial.
      if (this.now() - this.lastPongAt > 2 * intervalMs + intervalMs / 2) {
        this.logger.warn("no heartbeat answer from the edge; reconnecting");
        ws.terminate();
        return;
      }
      if (ws.readyState === WebSocket.OPEN) ws.send(HEARTBEAT_PING);
    }, intervalMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}
