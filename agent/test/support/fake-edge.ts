// A stand-in for the edge's /agent/connect, speaking the real protocol over a real `ws` server on loopback:
// token check at upgrade (401 otherwise), hello -> hello_ack, and "ping" -> "pong" like the hub's auto-response.
import { EventEmitter } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { AgentMessage, HEARTBEAT_PING, HEARTBEAT_PONG, type Hello, type HelloAck, PROTOCOL_VERSION } from "@nebula/schema/wire/agent";
import { type WebSocket, WebSocketServer } from "ws";

interface FakeEdgeEvents {
  /** An upgrade that was answered 401. */
  refused: [authorization: string | undefined];
  connection: [socket: WebSocket];
  hello: [hello: Hello, socket: WebSocket];
  ping: [socket: WebSocket];
  /** Any valid agent message other than hello (job progress, logs, results, metrics). */
  agentMessage: [message: AgentMessage, socket: WebSocket];
  closed: [info: { code: number; reason: string }];
}

export class FakeEdge extends EventEmitter<FakeEdgeEvents> {
  /** Upgrades carrying any other token are refused with 401. */
  token: string;
  /** While true, heartbeat pings go unanswered, like a path that silently died. */
  mute = false;
  readonly hellos: Hello[] = [];
  private readonly server = http.createServer((_req, res) => res.writeHead(426).end());
  private readonly wss = new WebSocketServer({ noServer: true });

  private constructor(token: string) {
    super();
    this.token = token;
    this.server.on("upgrade", (req, socket, head) => {
      if (req.url !== "/agent/connect" || req.headers.authorization !== `Bearer ${this.token}`) {
        const body = JSON.stringify({ error: { code: "UNAUTHORIZED", message: "Invalid or revoked agent token" } });
        socket.end(`HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
        this.emit("refused", req.headers.authorization);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
  }

  static async start(token: string): Promise<FakeEdge> {
    const edge = new FakeEdge(token);
    await new Promise<void>((resolve) => edge.server.listen(0, "127.0.0.1", resolve));
    return edge;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Every socket currently open. */
  get sockets(): WebSocket[] {
    return [...this.wss.clients];
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(ws: WebSocket): void {
    this.emit("connection", ws);
    ws.on("close", (code, reason) => this.emit("closed", { code, reason: reason.toString() }));
    ws.on("message", (data) => {
      const text = data.toString();
      if (text === HEARTBEAT_PING) {
        if (!this.mute) ws.send(HEARTBEAT_PONG);
        this.emit("ping", ws);
        return;
      }
      const parsed = AgentMessage.safeParse(JSON.parse(text));
      if (!parsed.success) {
        ws.send(JSON.stringify({ type: "error", code: "malformed", message: parsed.error.message.slice(0, 500) }));
        return;
      }
      if (parsed.data.type !== "hello") {
        this.emit("agentMessage", parsed.data, ws);
        return;
      }
      const hello = parsed.data;
      this.hellos.push(hello);
      const ack: HelloAck = { type: "hello_ack", protocol: PROTOCOL_VERSION, serverTime: new Date().toISOString(), heartbeatSeconds: 30 };
      ws.send(JSON.stringify(ack));
      this.emit("hello", hello, ws);
    });
  }
}
