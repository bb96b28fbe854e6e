// The edge <-> agent websocket protocol: every JSON message either side sends, validated with zod on receipt.
// Only zod is imported here, so the agent can load this file without drizzle or any Worker code.
import { z } from "zod";

/** Protocol versions the edge speaks; an agent announces its version in `hello`. */
export const PROTOCOL_VERSION = 1;
/** How often the agent sends the text frame "ping"; the edge answers "pong" without waking its Durable Object. */
export const HEARTBEAT_INTERVAL_SECONDS = 30;
/** Larger messages are refused with close code 1009 (message too big). */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** Text heartbeat frames, answered by the hub's websocket auto-response. */
export const HEARTBEAT_PING = "ping";
export const HEARTBEAT_PONG = "pong";

/** `nca_` + 256 random bits in base64url: shown once at creation, stored only as SHA-256. */
export const AGENT_TOKEN_PATTERN = /^nca_[A-Za-z0-9_-]{43}$/;

/** Close codes the edge uses; 4xxx are application-defined (RFC 6455 §7.4.2). */
export const CLOSE_CODES = {
  normal: 1000,
  messageTooBig: 1009,
  /** A newer connection of the same agent took over. */
  replaced: 4000,
  /** The agent's token was revoked: reconnecting will be refused. */
  revoked: 4001,
  /** The agent speaks a protocol version the edge does not. */
  unsupportedProtocol: 4002,
} as const;

const text = (max: number) => z.string().trim().min(1).max(max);

/** The first message of every connection: who the agent is and what it can do. */
export const Hello = z.object({
  type: z.literal("hello"),
  protocol: z.number().int().min(1),
  agentVersion: text(40),
  hostname: text(253),
  os: text(40),
  arch: text(40),
  capabilities: z.array(text(60)).max(100),
  osRelease: text(120).optional(),
  nodeVersion: text(40).optional(),
  cpuCount: z.number().int().min(1).max(4096).optional(),
  totalMemoryBytes: z.number().int().min(0).optional(),
});
export type Hello = z.infer<typeof Hello>;

/** Host facts are the hello without its envelope; the hub stores them and the dashboard shows them. */
export type HostFacts = Omit<Hello, "type" | "protocol">;

export function hostFactsOf(hello: Hello): HostFacts {
  const { type: _type, protocol: _protocol, ...facts } = hello;
  return facts;
}

export const HelloAck = z.object({
  type: z.literal("hello_ack"),
  protocol: z.literal(PROTOCOL_VERSION),
  serverTime: z.iso.datetime({ offset: true }),
  heartbeatSeconds: z.number().int().min(1),
});
export type HelloAck = z.infer<typeof HelloAck>;

export const WIRE_ERROR_CODES = ["malformed", "unknown_type", "unsupported_protocol", "unexpected", "too_big"] as const;

export const WireError = z.object({
  type: z.literal("error"),
  code: z.enum(WIRE_ERROR_CODES),
  message: z.string().max(500),
});
export type WireError = z.infer<typeof WireError>;

/** What the agent may send. Later issues add metrics batches, job progress and results here. */
export const AgentMessage = z.discriminatedUnion("type", [Hello]);
export type AgentMessage = z.infer<typeof AgentMessage>;
export const AGENT_MESSAGE_TYPES: readonly string[] = AgentMessage.options.map((o) => o.shape.type.value);

/** What the edge may send. Later issues add job requests and acks here. */
export const EdgeMessage = z.discriminatedUnion("type", [HelloAck, WireError]);
export type EdgeMessage = z.infer<typeof EdgeMessage>;
