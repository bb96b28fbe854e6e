// The edge <-> agent websocket protocol: every JSON message either side sends, validated with zod on receipt.
// Only zod/mini is imported here, so the agent can load this file without drizzle or any Worker code: the agent keeps
// these schemas in memory for good, and zod/mini's cost it ~1.3 MB less RSS at rest than classic zod's.
// Consumers only parse and infer types, which both share.
import * as z from "zod/mini";
import { PROBE_KINDS } from "./jobs.ts";

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

/** Service probes one agent may run every metrics interval. */
export const MAX_PROBES = 32;
/** Compose stacks one agent reports in its hello; more are still runnable, the dashboard lists these. */
export const MAX_STACKS = 64;

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

/** The first message of every connection: who the agent is and what it can do. */
export const Hello = z.object({
  type: z.literal("hello"),
  protocol: z.int().check(z.minimum(1)),
  agentVersion: text(40),
  hostname: text(253),
  os: text(40),
  arch: text(40),
  capabilities: z.array(text(60)).check(z.maxLength(100)),
  osRelease: z.optional(text(120)),
  nodeVersion: z.optional(text(40)),
  cpuCount: z.optional(z.int().check(z.minimum(1), z.maximum(4096))),
  totalMemoryBytes: z.optional(z.int().check(z.minimum(0))),
  /** Services probed every metrics interval (NEBULA_PROBES), reported as probe.<name>.up and probe.<name>.latency_ms. */
  probes: z.optional(
    z.array(z.object({ name: z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/)), kind: z.enum(PROBE_KINDS) })).check(z.maxLength(MAX_PROBES)),
  ),
  /** Compose stacks the agent may bring up or down (NEBULA_STACKS), by name only (never their directories). */
  stacks: z.optional(z.array(z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/))).check(z.maxLength(MAX_STACKS))),
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
  heartbeatSeconds: z.int().check(z.minimum(1)),
});
export type HelloAck = z.infer<typeof HelloAck>;

export const WIRE_ERROR_CODES = ["malformed", "unknown_type", "unsupported_protocol", "unexpected", "too_big"] as const;

export const WireError = z.object({
  type: z.literal("error"),
  code: z.enum(WIRE_ERROR_CODES),
  message: z.string().check(z.maxLength(500)),
});
export type WireError = z.infer<typeof WireError>;

export * from "./jobs.ts";

// ---- Jobs -----------------------------------------------------------------------------------------
// The edge sends `job`; the agent streams `job_progress` and `job_log`, then exactly one `job_result`.
// A job id is the de-duplication key on both sides: a job the agent has seen is never run twice.

export const JOB_ID_PATTERN = /^job_[0-9a-z]{16}$/;
const jobId = z.string().check(z.regex(JOB_ID_PATTERN));

export const JobRequest = z.object({
  type: z.literal("job"),
  id: jobId,
  kind: z.string().check(z.maxLength(60)),
  params: z.unknown(),
  /** Absolute deadline, epoch milliseconds. */
  deadline: z.int().check(z.positive()),
  requestedBy: z.object({ id: z.string().check(z.maxLength(80)), name: z.string().check(z.maxLength(120)) }),
});
export type JobRequest = z.infer<typeof JobRequest>;

export const JobCancel = z.object({ type: z.literal("job_cancel"), id: jobId, reason: z.optional(z.string().check(z.maxLength(200))) });
export type JobCancel = z.infer<typeof JobCancel>;

/**
 * `cancelling` is the agent's own line (step "cancel" or "deadline") for a kind in JOB_ROLLBACK_GRACE_MS: the job was
 * cancelled or ran out of time and stays open while it undoes what it began; its rollback lines and result follow.
 */
export const JOB_STEP_STATUSES = ["running", "ok", "failed", "skipped", "rolled_back", "cancelling"] as const;
export const JobProgress = z.object({
  type: z.literal("job_progress"),
  id: jobId,
  step: z.string().check(z.minLength(1), z.maxLength(80)),
  status: z.enum(JOB_STEP_STATUSES),
  message: z.string().check(z.maxLength(1000)),
  at: z.int(),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const JobLog = z.object({
  type: z.literal("job_log"),
  id: jobId,
  stream: z.enum(["stdout", "stderr"]),
  /** UTF-8 text; chunks are at most 64 KiB so a burst of logs never hits the message size limit. */
  data: z.string().check(z.maxLength(64 * 1024)),
});
export type JobLog = z.infer<typeof JobLog>;

export const JOB_ERROR_CODES = ["not_allowed", "invalid_params", "not_found", "timeout", "cancelled", "failed", "unavailable", "duplicate"] as const;
export const JobResult = z.discriminatedUnion("ok", [
  z.object({ type: z.literal("job_result"), id: jobId, ok: z.literal(true), result: z.unknown(), durationMs: z.number().check(z.minimum(0)) }),
  z.object({
    type: z.literal("job_result"),
    id: jobId,
    ok: z.literal(false),
    error: z.object({ code: z.enum(JOB_ERROR_CODES), message: z.string().check(z.maxLength(2000)) }),
    durationMs: z.number().check(z.minimum(0)),
  }),
]);
export type JobResult = z.infer<typeof JobResult>;

// ---- Metrics ----------------------------------------------------------------------------------------
// Samples are flat name -> number maps ("cpu.total", "mem.used_pct", "disk./.used_pct", "net.eth0.rx_bps",
// "temp.cpu", "gpu.0.util", "container.plex.cpu"), so rules, rollups and charts need no per-metric code.
// Each batch carries a per-agent sequence number; the hub acks cumulatively and ignores what it has seen.

export const METRIC_NAME_PATTERN = /^[a-z][a-z0-9_]*(\.[A-Za-z0-9_:@/+-]{1,80}){0,4}$/;
/** A metrics batch's bounds, also read by the hub's one-pass check of a batch (workers/src/agents/hub-protocol.ts). */
export const MAX_SAMPLES_PER_BATCH = 720;
export const MAX_METRIC_NAME_LENGTH = 200;

export const Sample = z.object({
  /** Epoch milliseconds on the agent's clock. */
  at: z.int().check(z.positive()),
  // z.number() refuses Infinity and NaN.
  values: z.record(z.string().check(z.regex(METRIC_NAME_PATTERN), z.maxLength(MAX_METRIC_NAME_LENGTH)), z.number()),
});
export type Sample = z.infer<typeof Sample>;

export const MetricsBatch = z.object({
  type: z.literal("metrics"),
  seq: z.int().check(z.minimum(1)),
  samples: z.array(Sample).check(z.minLength(1), z.maxLength(MAX_SAMPLES_PER_BATCH)),
});
export type MetricsBatch = z.infer<typeof MetricsBatch>;

/** The spool dropped its oldest batches when full: reported so the loss is visible, never silent. */
export const SpoolLoss = z.object({
  type: z.literal("spool_loss"),
  droppedBatches: z.int().check(z.minimum(1)),
  droppedSamples: z.int().check(z.minimum(0)),
  oldestDroppedAt: z.int().check(z.positive()),
});
export type SpoolLoss = z.infer<typeof SpoolLoss>;

/**
 * Messages from the edge the agent could not use (not JSON, or no known message): counted on the agent as on the
 * edge, and reported as counts since the last report so the dashboard shows both sides.
 */
export const RejectedReport = z.object({
  type: z.literal("rejected_report"),
  malformed: z.int().check(z.minimum(0)),
  unknown: z.int().check(z.minimum(0)),
});
export type RejectedReport = z.infer<typeof RejectedReport>;

/** Cumulative: every batch with seq <= this one is stored. */
export const MetricsAck = z.object({ type: z.literal("metrics_ack"), seq: z.int().check(z.minimum(0)) });
export type MetricsAck = z.infer<typeof MetricsAck>;

/** Collection interval: 10 s at rest, 2 s while someone watches the host live. */
export const DEFAULT_METRICS_INTERVAL_SECONDS = 10;
export const LIVE_METRICS_INTERVAL_SECONDS = 2;
export const SetInterval = z.object({ type: z.literal("set_interval"), seconds: z.int().check(z.minimum(1), z.maximum(300)) });
export type SetInterval = z.infer<typeof SetInterval>;

/** What the agent may send. */
export const AgentMessage = z.discriminatedUnion("type", [Hello, JobProgress, JobLog, JobResult, MetricsBatch, SpoolLoss, RejectedReport]);
export type AgentMessage = z.infer<typeof AgentMessage>;
export const AGENT_MESSAGE_TYPES: readonly string[] = [
  "hello",
  "job_progress",
  "job_log",
  "job_result",
  "metrics",
  "spool_loss",
  "rejected_report",
] satisfies readonly AgentMessage["type"][];

/** What the edge may send. */
export const EdgeMessage = z.discriminatedUnion("type", [HelloAck, WireError, JobRequest, JobCancel, MetricsAck, SetInterval]);
export type EdgeMessage = z.infer<typeof EdgeMessage>;
