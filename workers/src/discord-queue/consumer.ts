// The `nebula-discord` queue consumer: validates each envelope, skips ids already finished (at-least-once delivery),
// claims the id while running so a concurrent redelivery waits, runs the kind's handler, and acks or retries.
// Kinds with handleBatch (idempotent on their ids by themselves) get all of their messages in the batch in one call.
import { loadConfig } from "../config/config.ts";
import type { Env } from "../env.ts";
import { baseLogger, createServices } from "../services/services.ts";
import { QUEUE_KINDS } from "./kinds.ts";
import { type AnyQueueKind, CLAIM_SECONDS, type QueueEnvelope as Envelope, QueueEnvelope, RetryLater, runClaimed } from "./queue-kind.ts";

function retryDelay(attempts: number): number {
  return Math.min(300, 2 ** Math.max(0, attempts - 1) * 5);
}

export async function consumeDiscordQueue(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext, kinds: readonly AnyQueueKind[] = QUEUE_KINDS): Promise<void> {
  const config = loadConfig(env);
  const logger = baseLogger(config).child({ queue: batch.queue });
  const scope = createServices(env, config, logger);
  const byKind = new Map(kinds.map((k) => [k.kind, k]));
  const deps: Deps = { env, services: scope.services, logger };
  try {
    const batched = new Map<AnyQueueKind, Valid[]>();
    // Sequential: a `nebula-discord` batch is at most 10 messages, and one Postgres socket serves them in turn; handleBatch
    // kinds last (the `nebula-analytics` queue carries only those, so its batches of 100 cost one statement each).
    for (const message of batch.messages) {
      const valid = validate(message, byKind, logger);
      if (!valid) continue;
      if (valid.handler.handleBatch) batched.set(valid.handler, [...(batched.get(valid.handler) ?? []), valid]);
      else await consumeOne(valid, deps);
    }
    for (const [handler, messages] of batched) await consumeTogether(handler, messages, deps);
  } finally {
    ctx.waitUntil(scope.dispose());
  }
}

type Deps = { env: Env; services: ReturnType<typeof createServices>["services"]; logger: ReturnType<typeof baseLogger> };

interface Valid {
  message: Message<unknown>;
  envelope: Envelope;
  handler: AnyQueueKind;
  body: unknown;
  logger: ReturnType<typeof baseLogger>;
}

/** The message as its kind's typed body, or null after acking what can never succeed (it would only be retried). */
function validate(message: Message<unknown>, kinds: Map<string, AnyQueueKind>, baseLog: ReturnType<typeof baseLogger>): Valid | null {
  const envelope = QueueEnvelope.safeParse(message.body);
  if (!envelope.success) {
    baseLog.error("queue message is not an envelope; dropped", { messageId: message.id });
    message.ack();
    return null;
  }
  const { kind, id } = envelope.data;
  const logger = baseLog.child({ kind, eventId: id, requestId: envelope.data.requestId ?? null, attempts: message.attempts });
  const handler = kinds.get(kind);
  if (!handler) {
    logger.error("unknown queue message kind; dropped");
    message.ack();
    return null;
  }
  const body = handler.body.safeParse(envelope.data.body);
  if (!body.success) {
    logger.error("queue message body does not match its kind; dropped", { issues: body.error.issues.length });
    message.ack();
    return null;
  }
  return { message, envelope: envelope.data, handler, body: body.data, logger };
}

/** A handleBatch kind: one call for all of its messages; they are acked or retried together. */
async function consumeTogether(handler: AnyQueueKind, messages: Valid[], deps: Deps): Promise<void> {
  const attempts = Math.max(...messages.map((m) => m.message.attempts));
  const logger = deps.logger.child({ kind: handler.kind, messages: messages.length, attempts });
  try {
    await handler.handleBatch?.(
      messages.map((m) => ({ id: m.envelope.id, body: m.body })),
      { env: deps.env, services: deps.services, logger, attempts },
    );
    for (const m of messages) m.message.ack();
  } catch (err) {
    const delaySeconds = err instanceof RetryLater ? err.delaySeconds : retryDelay(attempts);
    logger.warn("queue batch failed; will retry", { err, delaySeconds });
    for (const m of messages) m.message.retry({ delaySeconds });
  }
}

async function consumeOne(valid: Valid, deps: Deps): Promise<void> {
  const { message, handler, logger } = valid;
  try {
    const context = { env: deps.env, services: deps.services, logger, attempts: message.attempts, requestId: valid.envelope.requestId ?? null };
    const outcome = await runClaimed(deps.services.cache, handler.kind, valid.envelope.id, () => handler.handle(valid.body, context), handler.rememberSeconds);
    if (outcome === "busy") {
      // Another delivery is running it (or crashed): look again once its claim may have lapsed.
      message.retry({ delaySeconds: Math.ceil(CLAIM_SECONDS / 2) });
      return;
    }
    if (outcome === "done") logger.info("duplicate delivery skipped");
    message.ack();
  } catch (err) {
    const delaySeconds = err instanceof RetryLater ? err.delaySeconds : retryDelay(message.attempts);
    logger.warn("queue message failed; will retry", { err, delaySeconds });
    message.retry({ delaySeconds });
  }
}

export type { Envelope };
export { dedupeKey } from "./queue-kind.ts";
