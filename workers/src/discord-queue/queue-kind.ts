// The `nebula-discord` queue carries typed messages: `{ kind, id, body }`. Each kind is defined once with a zod body
// schema and a handler, and listed in discord-queue/kinds.ts; the consumer validates, de-duplicates on `id` and
// dispatches. Producers call `sendToDiscordQueue(env.DISCORD_QUEUE, kind, id, body)`.
//
// Adding a kind: `export const goLiveNotify = defineQueueKind({ kind: "golive.notify", body: z.object({...}),
// async handle(body, ctx) {...} })`, then add it to QUEUE_KINDS in kinds.ts. `id` is the event's own id (an
// interaction id, a gateway event id, a stream session id): Cloudflare Queues deliver at least once, so the consumer
// runs a given (kind, id) to completion once, and a redelivery after success is acknowledged without running.
import { z } from "zod";
import type { Cache } from "../cache/cache.ts";
import type { Env } from "../env.ts";
import type { Services } from "../http/context.ts";
import type { Logger } from "../logging/logger.ts";

export const QueueEnvelope = z.object({
  kind: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/),
  id: z.string().min(1).max(200),
  body: z.unknown(),
  /** Epoch ms at enqueue, for lag logs. */
  enqueuedAt: z.number().int(),
  /** The request that enqueued it, so its logs join up. */
  requestId: z.string().max(64).optional(),
});
export type QueueEnvelope = z.infer<typeof QueueEnvelope>;

export interface QueueContext {
  env: Env;
  /** db opens on first use and closes after the batch. */
  services: Services;
  logger: Logger;
  /** 1 on first delivery. */
  attempts: number;
  requestId: string | null;
}

/** Thrown by a handler for a retry after a delay (e.g. Discord asked to wait); other throws retry with backoff. */
export class RetryLater extends Error {
  constructor(
    readonly delaySeconds: number,
    message = "retry later",
  ) {
    super(message);
    this.name = "RetryLater";
  }
}

export interface QueueKind<S extends z.ZodType = z.ZodType> {
  kind: string;
  body: S;
  handle(body: z.output<S>, ctx: QueueContext): Promise<void>;
  /**
   * The consumer hands it every message of this kind in a batch at once, instead of calling handle() per message
   * under its per-id claim, and acks or retries them together: for work that is idempotent on the ids by itself (a
   * counter that remembers the event ids it counted), one Postgres statement per batch instead of one per message.
   * Per-message work that needs the claim can still use runClaimed() inside it.
   */
  handleBatch?(bodies: { id: string; body: z.output<S> }[], ctx: Omit<QueueContext, "requestId">): Promise<void>;
  /** How long a finished id is remembered (default one day). */
  rememberSeconds?: number;
}

/** Any kind, for lists of them (a handler's body type is its own; the consumer validates before calling it). */
// biome-ignore lint/suspicious/noExplicitAny: a list holds kinds of different body types
export type AnyQueueKind = QueueKind<any>;

export function defineQueueKind<S extends z.ZodType>(kind: QueueKind<S>): QueueKind<S> {
  if (!QueueEnvelope.shape.kind.safeParse(kind.kind).success) throw new Error(`Queue kind "${kind.kind}" must look like "area.event"`);
  return kind;
}

/** A running claim outlives a slow handler but not a crashed one: then the redelivery takes over. */
export const CLAIM_SECONDS = 120;
const DEFAULT_REMEMBER_SECONDS = 24 * 3600;
const RUNNING = "running";
const DONE = "done";

export const dedupeKey = (kind: string, id: string) => `dq:${kind}:${id}`;

/**
 * Runs `work` for (kind, id) unless it finished before ("done") or another delivery holds the claim ("busy").
 * A throw from `work` releases the claim and propagates, so the redelivery runs it again.
 */
export async function runClaimed(cache: Cache, kind: string, id: string, work: () => Promise<void>, rememberSeconds = DEFAULT_REMEMBER_SECONDS): Promise<"ran" | "done" | "busy"> {
  const key = dedupeKey(kind, id);
  if (!(await cache.setIfAbsent(key, RUNNING, CLAIM_SECONDS))) return (await cache.get(key)) === DONE ? "done" : "busy";
  try {
    await work();
  } catch (err) {
    await cache.delete(key).catch(() => {});
    throw err;
  }
  await cache.set(key, DONE, { ttlSeconds: rememberSeconds });
  return "ran";
}

/** Validates the body against the kind's schema before it leaves, so a bad producer fails where the bug is. */
export async function sendToDiscordQueue<S extends z.ZodType>(
  queue: Queue,
  kind: QueueKind<S>,
  id: string,
  body: z.input<S>,
  options: { requestId?: string; delaySeconds?: number } = {},
): Promise<void> {
  const envelope: QueueEnvelope = { kind: kind.kind, id, body: kind.body.parse(body), enqueuedAt: Date.now(), requestId: options.requestId };
  await queue.send(envelope, { contentType: "json", ...(options.delaySeconds ? { delaySeconds: options.delaySeconds } : {}) });
}
