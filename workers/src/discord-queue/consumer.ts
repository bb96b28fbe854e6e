// The `nebula-discord` queue consumer: validates each envelope, skips ids already finished (at-least-once delivery),
// claims the id while running so a concurrent redelivery waits, runs the kind's handler, and acks or retries.
import { loadConfig } from "../config/config.ts";
import type { Env } from "../env.ts";
import { baseLogger, createServices } from "../services/services.ts";
import { QUEUE_KINDS } from "./kinds.ts";
import { type AnyQueueKind, type QueueEnvelope as Envelope, QueueEnvelope, RetryLater } from "./queue-kind.ts";

/** A running claim outlives a slow handler but not a crashed one: then the redelivery takes over. */
const CLAIM_SECONDS = 120;
const DEFAULT_REMEMBER_SECONDS = 24 * 3600;
const RUNNING = "running";
const DONE = "done";

export const dedupeKey = (kind: string, id: string) => `dq:${kind}:${id}`;

function retryDelay(attempts: number): number {
  return Math.min(300, 2 ** Math.max(0, attempts - 1) * 5);
}

export async function consumeDiscordQueue(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext, kinds: readonly AnyQueueKind[] = QUEUE_KINDS): Promise<void> {
  const config = loadConfig(env);
  const logger = baseLogger(config).child({ queue: batch.queue });
  const scope = createServices(env, config, logger);
  const byKind = new Map(kinds.map((k) => [k.kind, k]));
  try {
    // Sequential: a batch is at most 10 messages, and one Postgres socket serves them in turn.
    for (const message of batch.messages) {
      await consumeOne(message, byKind, { env, services: scope.services, logger });
    }
  } finally {
    ctx.waitUntil(scope.dispose());
  }
}

async function consumeOne(
  message: Message<unknown>,
  kinds: Map<string, AnyQueueKind>,
  deps: { env: Env; services: ReturnType<typeof createServices>["services"]; logger: ReturnType<typeof baseLogger> },
): Promise<void> {
  const envelope = QueueEnvelope.safeParse(message.body);
  if (!envelope.success) {
    deps.logger.error("queue message is not an envelope; dropped", { messageId: message.id });
    message.ack();
    return;
  }
  const { kind, id } = envelope.data;
  const logger = deps.logger.child({ kind, eventId: id, requestId: envelope.data.requestId ?? null, attempts: message.attempts });
  const handler = kinds.get(kind);
  if (!handler) {
    logger.error("unknown queue message kind; dropped");
    message.ack();
    return;
  }
  const body = handler.body.safeParse(envelope.data.body);
  if (!body.success) {
    logger.error("queue message body does not match its kind; dropped", { issues: body.error.issues.length });
    message.ack();
    return;
  }
  const { cache } = deps.services;
  const key = dedupeKey(kind, id);
  if (!(await cache.setIfAbsent(key, RUNNING, CLAIM_SECONDS))) {
    const state = await cache.get(key);
    if (state === DONE) {
      logger.info("duplicate delivery skipped");
      message.ack();
    } else {
      // Another delivery is running it (or crashed): look again once its claim may have lapsed.
      message.retry({ delaySeconds: Math.ceil(CLAIM_SECONDS / 2) });
    }
    return;
  }
  try {
    await handler.handle(body.data, { env: deps.env, services: deps.services, logger, attempts: message.attempts, requestId: envelope.data.requestId ?? null });
    await cache.set(key, DONE, { ttlSeconds: handler.rememberSeconds ?? DEFAULT_REMEMBER_SECONDS });
    message.ack();
  } catch (err) {
    await cache.delete(key).catch(() => {});
    const delaySeconds = err instanceof RetryLater ? err.delaySeconds : retryDelay(message.attempts);
    logger.warn("queue message failed; will retry", { err, delaySeconds });
    message.retry({ delaySeconds });
  }
}

export type { Envelope };
