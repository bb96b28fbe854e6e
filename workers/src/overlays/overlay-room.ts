// OverlayRoom: one Durable Object per overlay. OBS browser sources hold hibernatable websockets here; events are
// numbered, the last 100 kept so a reconnecting source catches up, and fanned out to every connected source.
import { overlayWire } from "@nebula/schema";
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";

const { OVERLAY_EVENT_HISTORY, OVERLAY_PING, OVERLAY_PONG } = overlayWire;

export interface BroadcastResult {
  seq: number;
  delivered: number;
}

const OWNER_KEY = "ownerTenantId";

export class OverlayRoom extends DurableObject<Env> {
  private lastSeq = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // OBS sources keep the socket alive with "ping"; the runtime answers without waking the room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(OVERLAY_PING, OVERLAY_PONG));
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, frame TEXT NOT NULL)");
      this.lastSeq = ctx.storage.sql.exec<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM events").one().seq ?? 0;
    });
  }

  /** A source connects; `?after=<seq>` replays what it missed from the kept history. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("websocket upgrade required", { status: 426 });
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const after = Number(new URL(request.url).searchParams.get("after"));
    if (Number.isSafeInteger(after) && after > 0 && after < this.lastSeq) {
      for (const { frame } of this.ctx.storage.sql.exec<{ frame: string }>("SELECT frame FROM events WHERE seq > ? ORDER BY seq", after)) {
        server.send(frame);
      }
    }
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * Binds the room to the first tenant that claims it and answers whether `tenantId` owns it. Until overlays have
   * their own table, this is what keeps one tenant from sending to another's overlay.
   */
  async claim(tenantId: string): Promise<boolean> {
    const kv = this.ctx.storage.kv;
    const owner = kv.get<string>(OWNER_KEY);
    if (owner === undefined) {
      kv.put(OWNER_KEY, tenantId);
      return true;
    }
    return owner === tenantId;
  }

  async broadcast(event: overlayWire.OverlayEvent): Promise<BroadcastResult> {
    const seq = ++this.lastSeq;
    const frame = JSON.stringify({ type: "event", seq, event } satisfies overlayWire.OverlayFrame);
    this.ctx.storage.sql.exec("INSERT INTO events (seq, frame) VALUES (?, ?)", seq, frame);
    this.ctx.storage.sql.exec("DELETE FROM events WHERE seq <= ?", seq - OVERLAY_EVENT_HISTORY);
    let delivered = 0;
    for (const ws of this.ctx.getWebSockets()) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      try {
        ws.send(frame);
        delivered++;
      } catch {
        // A source that is going away; it catches up with ?after= when it returns.
      }
    }
    return { seq, delivered };
  }

  async connections(): Promise<number> {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN).length;
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
