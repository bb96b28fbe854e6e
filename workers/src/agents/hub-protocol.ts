// The hub's reading of agent frames, kept out of the Durable Object so it is unit-tested in plain Node:
// a frame becomes a typed message, a too-big verdict, or a wire error to send back. It never throws.
import { agentWire } from "@nebula/schema";
import type { z } from "zod";

const { AgentMessage, AGENT_MESSAGE_TYPES, MAX_MESSAGE_BYTES, PROTOCOL_VERSION, HEARTBEAT_INTERVAL_SECONDS } = agentWire;

export type InboundFrame =
  | { kind: "message"; message: agentWire.AgentMessage }
  | { kind: "too_big"; bytes: number }
  | { kind: "rejected"; error: agentWire.WireError };

/** UTF-8 length without encoding when the answer is obvious: at most 3 bytes per UTF-16 unit. */
export function utf8Length(text: string, limit: number): number {
  if (text.length * 3 <= limit) return text.length * 3;
  return new TextEncoder().encode(text).length;
}

function rejected(code: agentWire.WireError["code"], message: string): InboundFrame {
  return { kind: "rejected", error: { type: "error", code, message: message.slice(0, 500) } };
}

function describe(issues: z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
    .join("; ");
}

export function readAgentFrame(frame: string | ArrayBuffer): InboundFrame {
  if (typeof frame !== "string") {
    if (frame.byteLength > MAX_MESSAGE_BYTES) return { kind: "too_big", bytes: frame.byteLength };
    return rejected("malformed", "Binary frames are not part of the protocol; send JSON text");
  }
  const size = utf8Length(frame, MAX_MESSAGE_BYTES);
  if (size > MAX_MESSAGE_BYTES) return { kind: "too_big", bytes: size };
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return rejected("malformed", "Message is not valid JSON");
  }
  const type = typeof value === "object" && value !== null && "type" in value ? (value as { type: unknown }).type : undefined;
  if (typeof type !== "string") return rejected("malformed", "Message has no string `type`");
  if (!AGENT_MESSAGE_TYPES.includes(type)) return rejected("unknown_type", `Unknown message type "${type.slice(0, 60)}"`);
  const parsed = AgentMessage.safeParse(value);
  if (!parsed.success) return rejected("malformed", `Invalid ${type}: ${describe(parsed.error.issues)}`);
  return { kind: "message", message: parsed.data };
}

export function helloAck(now: Date): agentWire.HelloAck {
  return { type: "hello_ack", protocol: PROTOCOL_VERSION, serverTime: now.toISOString(), heartbeatSeconds: HEARTBEAT_INTERVAL_SECONDS };
}

export function supportsProtocol(version: number): boolean {
  return version === PROTOCOL_VERSION;
}
