// InboxFeed: one Durable Object per tenant holding the inbox pages' hibernatable websockets. The queue consumer
// calls `publish` after it stores new notifications; each open page gets them at once. Pings are answered by the
// runtime's auto-response, so an idle feed sleeps and costs nothing. Nothing is kept: a page that reconnects
// reloads the list from the API.
import { api } from "@nebula/schema";
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";

export class InboxFeed extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(api.INBOX_PING, api.INBOX_PONG));
  }

  /** Only reached through the authorized /streams/inbox/live route. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("websocket upgrade required", { status: 426 });
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Sends each item to every open page; answers how many sockets received them. */
  async publish(items: api.InboxItem[]): Promise<number> {
    const frames = items.map((item) => JSON.stringify({ type: "item", item } satisfies api.InboxLiveFrame));
    let delivered = 0;
    for (const ws of this.ctx.getWebSockets()) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      try {
        for (const frame of frames) ws.send(frame);
        delivered++;
      } catch {
        // A page going away; it reloads the list when it comes back.
      }
    }
    return delivered;
  }

  async connections(): Promise<number> {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN).length;
  }

  override async webSocketMessage(): Promise<void> {
    // Pages only listen; their "ping" never reaches here (auto-response).
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closing");
    } catch {
      // Already closed.
    }
  }
}

export const getInboxFeedByName = (ns: DurableObjectNamespace<InboxFeed>, tenantId: string) => ns.getByName(tenantId);
