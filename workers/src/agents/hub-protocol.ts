// The hub's reading of agent frames, kept out of the Durable Object so it is unit-tested in plain Node:
// a frame becomes a typed message, a too-big verdict, or a wire error to send back. It never throws.
import { agentWire } from "@nebula/schema";
import type { z } from "zod";

const { AgentMessage, AGENT_MESSAGE_TYPES, MAX_MESSAGE_BYTES, MAX_METRIC_NAME_LENGTH, MAX_SAMPLES_PER_BATCH, METRIC_NAME_PATTERN, PROTOCOL_VERSION, HEARTBEAT_INTERVAL_SECONDS } = agentWire;

/** Metric names already checked against METRIC_NAME_PATTERN: an agent repeats the same few dozen in every sample. */
const knownNames = new Set<string>();
const KNOWN_NAMES_KEPT = 4096;

function isMetricName(name: string): boolean {
  if (knownNames.has(name)) return true;
  if (name.length > MAX_METRIC_NAME_LENGTH || !METRIC_NAME_PATTERN.test(name)) return false;
  if (knownNames.size >= KNOWN_NAMES_KEPT) knownNames.clear();
  knownNames.add(name);
  return true;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;
const isPositiveInt = (v: unknown, min: number): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= min;

/**
 * A metrics batch that needs nothing from zod: every rule of agentWire.MetricsBatch checked in one pass over the
 * JSON the frame parsed to, or null to let zod decide (and word the error). Metrics are nearly all of an agent's
 * traffic, and zod's generic walk over 100 samples × 20 values cost about as much as storing them.
 */
export function plainMetricsBatch(value: Record<string, unknown>): agentWire.MetricsBatch | null {
  const { seq, samples } = value;
  if (value.type !== "metrics" || !isPositiveInt(seq, 1) || !Array.isArray(samples)) return null;
  if (samples.length < 1 || samples.length > MAX_SAMPLES_PER_BATCH) return null;
  const out: agentWire.Sample[] = new Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const sample: unknown = samples[i];
    if (!isPlainObject(sample)) return null;
    const { at, values } = sample;
    if (!isPositiveInt(at, 1) || !isPlainObject(values)) return null;
    for (const name in values) {
      const v = values[name];
      if (typeof v !== "number" || !Number.isFinite(v) || !isMetricName(name)) return null;
    }
    // zod's output: known keys only (a newer agent's extra fields are dropped, as for every message).
    out[i] = { at, values: values as Record<string, number> };
  }
  return { type: "metrics", seq, samples: out };
}

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
  if (type === "metrics") {
    const batch = plainMetricsBatch(value as Record<string, unknown>);
    if (batch) return { kind: "message", message: batch };
  }
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
