// AgentHub: one Durable Object per home agent. It holds the agent's websocket as a hibernatable socket
// (heartbeat pings are answered by auto-response, so an idle hub sleeps), answers hello, and keeps the
// host facts and a count of rejected messages in its own storage.
import { agentWire } from "@nebula/schema";
import { DurableObject } from "cloudflare:workers";
import { loadConfig } from "../config/config.ts";
import { openDb } from "../db/client.ts";
import type { Env } from "../env.ts";
import { type Logger, createLogger } from "../logging/logger.ts";
import { recordHello } from "./agents.ts";
import { helloAck, readAgentFrame, supportsProtocol } from "./hub-protocol.ts";

const { CLOSE_CODES, HEARTBEAT_PING, HEARTBEAT_PONG, PROTOCOL_VERSION } = agentWire;

/** Set by the Worker's /agent/connect route after it checked the token; the hub has no public route, so it trusts them. */
export const HUB_AGENT_ID_HEADER = "x-nebula-agent-id";
export const HUB_TENANT_ID_HEADER = "x-nebula-tenant-id";

/** Kept on the socket across hibernation; Cloudflare allows 2 KB per attachment, this is ~100 bytes. */
interface Attachment {
  agentId: string;
  tenantId: string;
  connectedAt: number;
}

export interface HubStatus {
  connected: boolean;
  lastHelloAt: string | null;
  hostFacts: agentWire.HostFacts | null;
  rejectedMessages: number;
}

/** Bounds the hello's Postgres write: a stalled database must not hold the agent's ack for long. */
const POSTGRES_WRITE_TIMEOUT_MS = 5_000;

const KEYS = { hostFacts: "hostFacts", lastHelloAt: "lastHelloAt", rejected: "rejectedMessages" } as const;

function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closing or closed.
  }
}

function send(ws: WebSocket, message: agentWire.EdgeMessage): void {
  try {
    ws.send(JSON.stringify(message));
  } catch {
    // The socket went away mid-handler; the close event will follow.
  }
}

export class AgentHub extends DurableObject<Env> {
  private readonly logger: Logger;

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
  }

  override async fetch(request: Request): Promise<Response> {
    const agentId = request.headers.get(HUB_AGENT_ID_HEADER);
    const tenantId = request.headers.get(HUB_TENANT_ID_HEADER);
    if (!agentId || !tenantId) return new Response("agent identity missing", { status: 400 });
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("websocket upgrade required", { status: 426 });

    // One live socket per agent: a reconnect (new process, network flap) takes over from the stale one.
    for (const old of this.ctx.getWebSockets()) closeQuietly(old, CLOSE_CODES.replaced, "replaced");

    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ agentId, tenantId, connectedAt: Date.now() } satisfies Attachment);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, frame: string | ArrayBuffer): Promise<void> {
    const inbound = readAgentFrame(frame);
    const attachment = ws.deserializeAttachment() as Attachment;
    if (inbound.kind === "too_big") {
      this.countRejected();
      this.logger.warn("agent message too big", { agentId: attachment.agentId, tenantId: attachment.tenantId, bytes: inbound.bytes });
      closeQuietly(ws, CLOSE_CODES.messageTooBig, "message too big");
      return;
    }
    if (inbound.kind === "rejected") {
      this.countRejected();
      this.logger.warn("agent message rejected", { agentId: attachment.agentId, tenantId: attachment.tenantId, code: inbound.error.code });
      send(ws, inbound.error);
      return;
    }
    switch (inbound.message.type) {
      case "hello":
        return this.onHello(ws, attachment, inbound.message);
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // Complete the closing handshake; 1005/1006 are "no code" markers that may not be sent back.
    closeQuietly(ws, code === 1005 || code === 1006 ? CLOSE_CODES.normal : code, "closing");
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    const attachment = ws.deserializeAttachment() as Attachment | null;
    this.logger.warn("agent socket error", { agentId: attachment?.agentId, err: error });
  }

  /** What the dashboard shows about this agent's link. */
  async status(): Promise<HubStatus> {
    const kv = this.ctx.storage.kv;
    return {
      connected: this.ctx.getWebSockets().some((ws) => ws.readyState === WebSocket.OPEN),
      lastHelloAt: kv.get<string>(KEYS.lastHelloAt) ?? null,
      hostFacts: kv.get<agentWire.HostFacts>(KEYS.hostFacts) ?? null,
      rejectedMessages: kv.get<number>(KEYS.rejected) ?? 0,
    };
  }

  /** Closes the agent's socket, e.g. after its token was revoked. */
  async disconnect(reason: "revoked"): Promise<void> {
    for (const ws of this.ctx.getWebSockets()) closeQuietly(ws, CLOSE_CODES[reason], reason);
  }

  private async onHello(ws: WebSocket, attachment: Attachment, hello: agentWire.Hello): Promise<void> {
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
    await this.persistHello(attachment, facts, now);
    send(ws, helloAck(now));
  }

  private async persistHello(attachment: Attachment, facts: agentWire.HostFacts, now: Date): Promise<void> {
    let handle: ReturnType<typeof openDb> | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      handle = openDb(loadConfig(this.env));
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${POSTGRES_WRITE_TIMEOUT_MS} ms`)), POSTGRES_WRITE_TIMEOUT_MS);
      });
      await Promise.race([recordHello(handle.db, attachment.agentId, facts, now), timeout]);
    } catch (err) {
      this.logger.error("recording agent hello in Postgres failed", { agentId: attachment.agentId, tenantId: attachment.tenantId, err });
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      if (handle) this.ctx.waitUntil(handle.close().catch(() => {}));
    }
  }

  private countRejected(): void {
    const kv = this.ctx.storage.kv;
    kv.put(KEYS.rejected, (kv.get<number>(KEYS.rejected) ?? 0) + 1);
  }
}
