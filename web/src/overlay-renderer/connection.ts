// The renderer's websocket to its OverlayRoom. OBS browser sources are known to stall silently, so it pings every
// OVERLAY_PING_INTERVAL_MS (answered by the room's auto-response, which costs an idle room nothing) and reconnects
// when pongs stop; every reconnect asks for `since=<last seq>`, so nothing is missed and nothing plays twice.
import type { DocumentFrame, HelloFrame, OverlayEvent, OverlayFrame } from "@nebula/schema/wire/overlay";
import { OVERLAY_CLOSE_NOT_FOUND, OVERLAY_PING, OVERLAY_PING_INTERVAL_MS, OVERLAY_PONG, OVERLAY_PONG_TIMEOUT_MS } from "@nebula/schema/wire/overlay-constants";

export type ConnectionState = "connecting" | "open" | "reconnecting" | "gone";

export interface ConnectionHandlers {
  /** The room's live state (goal values, now playing) as of the hello's sequence number. */
  onHello?(frame: HelloFrame): void;
  onDocument(frame: DocumentFrame): void;
  /** `history`: the event happened before this page first connected. */
  onEvent(seq: number, event: OverlayEvent, history: boolean): void;
  onState(state: ConnectionState): void;
}

const MAX_BACKOFF_MS = 5_000;

/** How often the renderer pings, and how long without a pong before it calls the socket stalled. */
export interface Heartbeat {
  intervalMs: number;
  timeoutMs: number;
}

export const DEFAULT_HEARTBEAT: Heartbeat = { intervalMs: OVERLAY_PING_INTERVAL_MS, timeoutMs: OVERLAY_PONG_TIMEOUT_MS };
const HEARTBEAT_MIN_MS = 100;
const HEARTBEAT_MAX_MS = 60_000;

/**
 * `?heartbeat=<ms>` on the renderer's URL: the ping interval (clamped to 100 ms–60 s), with a pong timeout of three
 * intervals as by default. A debugging aid for a source that stalls, and how the browser tests see a stall quickly;
 * anything else (absent, not a number) keeps the default.
 */
export function heartbeatOf(search: string): Heartbeat {
  const raw = new URLSearchParams(search).get("heartbeat");
  if (raw === null || !/^\d{1,6}$/.test(raw)) return DEFAULT_HEARTBEAT;
  const intervalMs = Math.min(HEARTBEAT_MAX_MS, Math.max(HEARTBEAT_MIN_MS, Number(raw)));
  return { intervalMs, timeoutMs: intervalMs * (OVERLAY_PONG_TIMEOUT_MS / OVERLAY_PING_INTERVAL_MS) };
}

export class OverlayConnection {
  /** Null until the first hello: a fresh page takes what the room replays as history. */
  private lastSeq: number | null = null;
  private historyUpTo = 0;
  private socket: WebSocket | null = null;
  private attempts = 0;
  private lastPong = 0;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly handlers: ConnectionHandlers,
    private readonly heartbeatTiming: Heartbeat = DEFAULT_HEARTBEAT,
  ) {}

  get seq(): number {
    return this.lastSeq ?? 0;
  }

  start(): void {
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.retry);
    this.drop();
  }

  private open(): void {
    this.handlers.onState(this.attempts === 0 && this.lastSeq === null ? "connecting" : "reconnecting");
    const url = this.lastSeq === null ? this.url : `${this.url}?since=${this.lastSeq}`;
    const ws = new WebSocket(url);
    this.socket = ws;
    ws.onopen = () => {
      this.attempts = 0;
      this.lastPong = Date.now();
      this.handlers.onState("open");
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => this.beat(), this.heartbeatTiming.intervalMs);
    };
    ws.onmessage = (message) => {
      if (typeof message.data !== "string") return;
      if (message.data === OVERLAY_PONG) {
        this.lastPong = Date.now();
        return;
      }
      this.receive(JSON.parse(message.data) as OverlayFrame);
    };
    ws.onclose = (event) => {
      if (this.socket !== ws) return;
      this.socket = null;
      clearInterval(this.heartbeat);
      if (event.code === OVERLAY_CLOSE_NOT_FOUND) {
        // Rotated away or deleted: this URL will never work again, so stop and show nothing.
        this.stopped = true;
        this.handlers.onState("gone");
        return;
      }
      this.scheduleReconnect();
    };
  }

  private receive(frame: OverlayFrame): void {
    switch (frame.type) {
      case "hello":
        // A room that kept less than we saw (its storage was reset) starts over; so does a fresh page.
        if (this.lastSeq === null || frame.lastSeq < this.lastSeq) {
          this.historyUpTo = frame.lastSeq;
          this.lastSeq = 0;
        }
        this.handlers.onHello?.(frame);
        return;
      case "document":
        this.handlers.onDocument(frame);
        return;
      case "event":
        if (frame.seq <= (this.lastSeq ?? 0)) return; // already had it
        this.lastSeq = frame.seq;
        this.handlers.onEvent(frame.seq, frame.event, frame.seq <= this.historyUpTo);
        return;
    }
  }

  private beat(): void {
    const ws = this.socket;
    if (!ws) return;
    if (Date.now() - this.lastPong > this.heartbeatTiming.timeoutMs) {
      // A stalled socket may never fire close: abandon it and dial again.
      this.drop();
      clearInterval(this.heartbeat);
      this.scheduleReconnect();
      return;
    }
    if (ws.readyState === WebSocket.OPEN) ws.send(OVERLAY_PING);
  }

  private drop(): void {
    const ws = this.socket;
    this.socket = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    try {
      ws.close();
    } catch {
      // Already closed.
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.handlers.onState("reconnecting");
    const backoff = Math.min(MAX_BACKOFF_MS, 250 * 2 ** this.attempts) * (0.75 + Math.random() * 0.5);
    this.attempts++;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.open(), backoff);
  }
}
