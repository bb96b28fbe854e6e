// OverlayRoom: one Durable Object per public overlay id. OBS browser sources hold hibernatable websockets here; the
// room keeps the overlay's current document and its last OVERLAY_EVENT_HISTORY events, numbered, so a source that
// reconnects with `?since=<seq>` gets exactly what it missed, and an editor save reaches every source at once.
// A source never makes the room touch Postgres: the document is pushed here by the API on every save.
// Goal bars count the inbox's alerts here (overlay-goals.ts); a Spotify now-playing layer is polled from the room's
// alarm while a source is connected (now-playing-poller.ts); a YouTube one shows the tenant's song-request queue, whose
// SongQueue object sends each new song here and is asked for the current one when a document with such a layer arrives.
import { overlayWire } from "@nebula/schema";
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import { hasSongLayer, sameSong } from "../song-requests/song-on-overlays.ts";
import { NowPlayingPoller } from "./now-playing-poller.ts";
import { GoalBook } from "./overlay-goals.ts";

const { OVERLAY_CHAT_HISTORY, OVERLAY_CLOSE_NOT_FOUND, OVERLAY_EVENT_HISTORY, OVERLAY_PING, OVERLAY_PONG } = overlayWire;

export interface BroadcastResult {
  seq: number;
  delivered: number;
}

/** An event from a source that may deliver it twice (a queue): the key (e.g. the inbox item id) plays it once. */
export interface KeyedEvent {
  key: string;
  event: overlayWire.OverlayEvent;
}

/** How many keys of keyed events the room remembers, newest first (more than the event history: keys are small). */
const KEYS_KEPT = OVERLAY_EVENT_HISTORY * 5;

/** Set once the room's goal rows and now-playing source follow its document (every publish keeps them so). */
const LIVE_STATE_KEY = "live-state:v1";
/** The newest now-playing event of the song-request queue (source "youtube"), for sources that connect later. */
const SONG_KEY = "now-playing:youtube";

/** What the API pushes on create and on every save. */
export interface PublishedOverlay {
  tenantId: string;
  overlayId: string;
  version: number;
  document: overlayWire.OverlayDocument;
}

interface Published {
  tenantId: string;
  overlayId: string;
  version: number;
  /** The document frame as sent, serialized once. */
  frame: string;
}

/**
 * Renderer sockets are not compressed. Unless the upgrade answer names its extensions, workerd accepts what the client
 * offers, and OBS's Chromium (like `ws`) offers permessage-deflate: every event was then deflated once per source, with
 * that source's own zlib context (some 200 KB of memory each), and a fan-out to 1,000 sources spent most of its time
 * compressing frames of a few hundred bytes. A value that offers no permessage-deflate settles on none, and the client is
 * sent no extension header; the empty value workerd documents for this does not survive the hops to the client.
 */
const UNCOMPRESSED = { "sec-websocket-extensions": "none" };

/** `?since=` as a sequence number, or null when absent or malformed (a fresh source). */
export function sinceOf(url: string): number | null {
  const raw = new URL(url).searchParams.get("since");
  if (raw === null || !/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}

export class OverlayRoom extends DurableObject<Env> {
  private lastSeq = 0;
  private published: Published | null = null;
  private goals!: GoalBook;
  private readonly nowPlaying = new NowPlayingPoller(this.ctx);

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // OBS sources keep the socket alive with "ping"; the runtime answers without waking the room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(OVERLAY_PING, OVERLAY_PONG));
    ctx.blockConcurrencyWhile(async () => this.load());
  }

  private load(): void {
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, frame TEXT NOT NULL, chat INTEGER NOT NULL DEFAULT 0)");
    // Rooms created before chat lines were kept apart have no `chat` column yet.
    if (!sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('events')").toArray().some((c) => c.name === "chat")) {
      sql.exec("ALTER TABLE events ADD COLUMN chat INTEGER NOT NULL DEFAULT 0");
    }
    sql.exec("CREATE TABLE IF NOT EXISTS event_keys (key TEXT PRIMARY KEY, seq INTEGER NOT NULL)");
    sql.exec("CREATE TABLE IF NOT EXISTS overlay (id INTEGER PRIMARY KEY CHECK (id = 1), tenant_id TEXT NOT NULL, overlay_id TEXT NOT NULL, version INTEGER NOT NULL, frame TEXT NOT NULL)");
    this.lastSeq = sql.exec<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM events").one().seq ?? 0;
    const row = sql.exec<{ tenant_id: string; overlay_id: string; version: number; frame: string }>("SELECT tenant_id, overlay_id, version, frame FROM overlay").toArray()[0];
    this.published = row ? { tenantId: row.tenant_id, overlayId: row.overlay_id, version: row.version, frame: row.frame } : null;
    this.goals = new GoalBook(sql);
    // A room published before goals and now playing lived here learns them from its document, once.
    if (this.published && !this.ctx.storage.kv.get(LIVE_STATE_KEY)) this.learnLiveState(this.published.frame);
  }

  private learnLiveState(frame: string): void {
    const { document } = JSON.parse(frame) as overlayWire.DocumentFrame;
    this.goals.reconcile(document, new Date());
    this.nowPlaying.configure(document);
    this.ctx.storage.kv.put(LIVE_STATE_KEY, true);
  }

  /**
   * A source connects. An id that names no live overlay gets its socket closed with 4404 (the renderer then stops
   * retrying). Otherwise: hello (the newest seq, with where the goal bars stand and what plays), the document, then the
   * kept events after `since` (all of them for a fresh source, which treats those up to hello.lastSeq as history and
   * plays none of them). A Spotify now-playing layer starts being polled.
   */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("websocket upgrade required", { status: 426 });
    const { 0: client, 1: server } = new WebSocketPair();
    if (!this.published) {
      server.accept();
      server.close(OVERLAY_CLOSE_NOT_FOUND, "overlay not found");
      return new Response(null, { status: 101, webSocket: client, headers: UNCOMPRESSED });
    }
    this.ctx.acceptWebSocket(server);
    // Everything below is synchronous: no broadcast can slip between the replay and the live stream.
    const song = this.ctx.storage.kv.get<overlayWire.NowPlayingEvent>(SONG_KEY);
    const live = { goals: this.goals.values(), nowPlaying: [...this.nowPlaying.latest(), ...(song ? [song] : [])] };
    server.send(JSON.stringify({ type: "hello", lastSeq: this.lastSeq, ...live } satisfies overlayWire.HelloFrame));
    server.send(this.published.frame);
    const since = sinceOf(request.url) ?? 0;
    if (since < this.lastSeq) {
      for (const { frame } of this.ctx.storage.sql.exec<{ frame: string }>("SELECT frame FROM events WHERE seq > ? ORDER BY seq", since)) {
        server.send(frame);
      }
    }
    await this.nowPlaying.wake();
    return new Response(null, { status: 101, webSocket: client, headers: UNCOMPRESSED });
  }

  /** Makes the room live (create, rotate) or updates its document (save); every connected source redraws. */
  async publish(overlay: PublishedOverlay): Promise<number> {
    // Saves can arrive out of order from two isolates; the newest version wins.
    if (this.published && this.published.overlayId === overlay.overlayId && this.published.version > overlay.version) return 0;
    const frame = JSON.stringify({ type: "document", version: overlay.version, document: overlay.document } satisfies overlayWire.DocumentFrame);
    this.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO overlay (id, tenant_id, overlay_id, version, frame) VALUES (1, ?, ?, ?, ?)",
      overlay.tenantId,
      overlay.overlayId,
      overlay.version,
      frame,
    );
    this.published = { tenantId: overlay.tenantId, overlayId: overlay.overlayId, version: overlay.version, frame };
    const delivered = this.send(frame);
    for (const event of this.goals.reconcile(overlay.document, new Date())) this.append(event);
    this.nowPlaying.configure(overlay.document);
    this.ctx.storage.kv.put(LIVE_STATE_KEY, true);
    if (this.ctx.getWebSockets().length > 0) await this.nowPlaying.wake();
    if (hasSongLayer(overlay.document)) await this.learnSong(overlay.tenantId);
    return delivered;
  }

  /** A YouTube now-playing layer shows the queue's current song from the start, not only from the next change. */
  private async learnSong(tenantId: string): Promise<void> {
    try {
      const event = await this.env.SONG_QUEUE.getByName(tenantId).nowPlaying(tenantId);
      if (event && !sameSong(event, this.ctx.storage.kv.get<overlayWire.NowPlayingEvent>(SONG_KEY))) this.append(event);
    } catch {
      // The save stands; the layer shows the queue from its next song on.
    }
  }

  /** Numbers an event, keeps it, and sends it to every source. Null when this room is not the tenant's live overlay. */
  async broadcast(tenantId: string, event: overlayWire.OverlayEvent): Promise<BroadcastResult | null> {
    if (this.published?.tenantId !== tenantId) return null;
    return this.append(event);
  }

  /**
   * Several events in one call (the inbox's fan-out: one call per overlay), each played at most once per key: a key
   * the room has seen is skipped. Answers the results of the events sent; null when this room is not the tenant's.
   */
  async broadcastKeyed(tenantId: string, events: readonly KeyedEvent[]): Promise<BroadcastResult[] | null> {
    if (this.published?.tenantId !== tenantId) return null;
    const sql = this.ctx.storage.sql;
    const results: BroadcastResult[] = [];
    const alerts: overlayWire.AlertEvent[] = [];
    for (const { key, event } of events) {
      if (sql.exec("SELECT 1 FROM event_keys WHERE key = ?", key).toArray().length > 0) continue;
      const result = this.append(event);
      sql.exec("INSERT INTO event_keys (key, seq) VALUES (?, ?)", key, result.seq);
      results.push(result);
      if (event.type === "alert") alerts.push(event);
    }
    if (results.length > 0) sql.exec("DELETE FROM event_keys WHERE seq <= ?", this.lastSeq - KEYS_KEPT);
    // Counted only once per key, like the alert itself: a redelivered inbox item never moves a goal twice.
    for (const goal of this.goals.count(alerts, new Date())) this.append(goal);
    return results;
  }

  /** The editor's "set current" for a goal bar. Null when this room is not the tenant's; "no-goal" for an unknown layer. */
  async setGoal(tenantId: string, layerId: string, current: number): Promise<(BroadcastResult & { current: number }) | "no-goal" | null> {
    if (this.published?.tenantId !== tenantId) return null;
    const event = this.goals.set(layerId, current, new Date());
    if (!event) return "no-goal";
    return { ...this.append(event), current: event.current };
  }

  /** Where each goal bar stands; null when this room is not the tenant's. */
  async goalValues(tenantId: string): Promise<Record<string, number> | null> {
    if (this.published?.tenantId !== tenantId) return null;
    return this.goals.values();
  }

  /** The overlay moved here from a rotated public id: its goals carry on where they stood. */
  async adoptGoals(tenantId: string, values: Record<string, number>): Promise<void> {
    if (this.published?.tenantId !== tenantId) return;
    this.goals.adopt(values);
  }

  override async alarm(): Promise<void> {
    const renderers = this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN).length;
    await this.nowPlaying.tick(this.env, this.published?.tenantId ?? null, renderers, (event) => this.append(event));
  }

  private append(event: overlayWire.OverlayEvent): BroadcastResult {
    const seq = ++this.lastSeq;
    const frame = JSON.stringify({ type: "event", seq, event } satisfies overlayWire.EventFrame);
    // Chat and everything else (alerts, goals, now playing) are kept in separate windows, so a source that resumes
    // after a long cut still gets every alert it missed however busy the chat was meanwhile.
    const chat = event.type === "chat" ? 1 : 0;
    if (event.type === "now-playing" && event.source === "youtube") this.ctx.storage.kv.put(SONG_KEY, event);
    const keep = chat ? OVERLAY_CHAT_HISTORY : OVERLAY_EVENT_HISTORY;
    this.ctx.storage.sql.exec("INSERT INTO events (seq, frame, chat) VALUES (?, ?, ?)", seq, frame, chat);
    this.ctx.storage.sql.exec("DELETE FROM events WHERE chat = ?1 AND seq <= (SELECT seq FROM events WHERE chat = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2)", chat, keep);
    return { seq, delivered: this.send(frame) };
  }

  /** The public id was rotated away or the overlay deleted: sources are closed with 4404 and nothing is kept. */
  async revoke(): Promise<number> {
    const sockets = this.ctx.getWebSockets();
    for (const ws of sockets) {
      try {
        ws.close(OVERLAY_CLOSE_NOT_FOUND, "overlay not found");
      } catch {
        // Already closing.
      }
    }
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.load();
    return sockets.length;
  }

  async connections(): Promise<number> {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN).length;
  }

  private send(frame: string): number {
    let delivered = 0;
    for (const ws of this.ctx.getWebSockets()) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      try {
        ws.send(frame);
        delivered++;
      } catch {
        // A source that is going away; it catches up with ?since= when it returns.
      }
    }
    return delivered;
  }

  override async webSocketMessage(): Promise<void> {
    // Sources only listen; their "ping" never reaches here (auto-response), anything else is ignored.
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closing");
    } catch {
      // Already closed.
    }
  }
}
