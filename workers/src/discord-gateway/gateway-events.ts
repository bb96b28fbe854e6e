// The Gateway's event bus: features register handlers per internal event kind (welcome on member.joined, go-live on
// presence.streaming, analytics on message.created …); the DiscordGateway object hands events off here and never
// waits on a feature. Events carry ids that repeat when Discord replays a dispatch, so handlers stay idempotent.
import { discordGatewayWire } from "@nebula/schema";
import { loadConfig } from "../config/config.ts";
import { type QueueEnvelope, RetryLater, defineQueueKind, runClaimed } from "../discord-queue/queue-kind.ts";
import type { Env } from "../env.ts";
import type { Services } from "../http/context.ts";
import { createLogger } from "../logging/logger.ts";
import { baseLogger, createServices } from "../services/services.ts";

export type GatewayEvent = discordGatewayWire.GatewayEvent;
export type GatewayEventKind = discordGatewayWire.GatewayEventKind;
export type GatewayEventOf<K extends GatewayEventKind> = Extract<GatewayEvent, { kind: K }>;
export type GatewayEventHandler<K extends GatewayEventKind> = (event: GatewayEventOf<K>, env: Env) => Promise<void> | void;

/** Takes many events at once (a queue batch) and must be idempotent on event ids: analytics counts them in one statement. */
export type GatewayBatchHandler = (events: readonly GatewayEvent[], services: Services) => Promise<void>;

const handlers = new Map<GatewayEventKind, GatewayEventHandler<GatewayEventKind>[]>();
const batchHandlers: GatewayBatchHandler[] = [];

/** Registers a handler for whole batches of events (every kind; it picks what it wants). */
export function onGatewayEvents(handler: GatewayBatchHandler): () => void {
  batchHandlers.push(handler);
  return () => {
    const at = batchHandlers.indexOf(handler);
    if (at >= 0) batchHandlers.splice(at, 1);
  };
}

/** Registers a handler for one kind of event; returns a function that removes it. */
export function onGatewayEvent<K extends GatewayEventKind>(kind: K, handler: GatewayEventHandler<K>): () => void {
  const list = handlers.get(kind) ?? [];
  list.push(handler as unknown as GatewayEventHandler<GatewayEventKind>);
  handlers.set(kind, list);
  return () => {
    const at = list.indexOf(handler as unknown as GatewayEventHandler<GatewayEventKind>);
    if (at >= 0) list.splice(at, 1);
  };
}

/**
 * Runs every handler registered for the event's kind, and the batch handlers for this one event, each isolated from
 * the others' failures; throws an AggregateError afterwards when any failed, so a queue consumer retries the message.
 */
export async function handleGatewayEvent(env: Env, event: GatewayEvent): Promise<void> {
  const parsed = discordGatewayWire.GatewayEvent.parse(event);
  const failures = await runEventHandlers(env, parsed);
  if (batchHandlers.length > 0) {
    const config = loadConfig(env);
    const scope = createServices(env, config, baseLogger(config).child({ feature: "gateway-events" }));
    try {
      failures.push(...(await runBatchHandlers([parsed], scope.services)));
    } finally {
      await scope.dispose();
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} handlers failed for ${parsed.kind} ${parsed.id}`);
}

async function runEventHandlers(env: Env, event: GatewayEvent): Promise<unknown[]> {
  const failures: unknown[] = [];
  for (const handler of [...(handlers.get(event.kind) ?? [])]) {
    try {
      await handler(event, env);
    } catch (err) {
      failures.push(err);
    }
  }
  return failures;
}

async function runBatchHandlers(events: readonly GatewayEvent[], services: Services): Promise<unknown[]> {
  const failures: unknown[] = [];
  for (const handler of [...batchHandlers]) {
    try {
      await handler(events, services);
    } catch (err) {
      failures.push(err);
    }
  }
  return failures;
}

const GATEWAY_EVENT = "gateway.event";

/**
 * The `nebula-discord` queue kind carrying one gateway event (listed in discord-queue/kinds.ts). The envelope id is
 * the event id, so the consumer runs each event once even when Discord replays the dispatch or the queue redelivers.
 */
export const gatewayEventKind = defineQueueKind({
  kind: GATEWAY_EVENT,
  body: discordGatewayWire.GatewayEvent,
  handle: (event, ctx) => handleGatewayEvent(ctx.env, event),
  // A batch: the batch handlers once over every event (on the consumer's one Postgres connection), then each event's
  // own handlers under its id's claim, so a redelivered batch runs again only what had not finished.
  handleBatch: async (items, ctx) => {
    const failures = await runBatchHandlers(items.map((i) => i.body), ctx.services);
    let busy = false;
    for (const { id, body } of items) {
      try {
        const outcome = await runClaimed(ctx.services.cache, GATEWAY_EVENT, id, async () => {
          const failed = await runEventHandlers(ctx.env, body);
          if (failed.length > 0) throw new AggregateError(failed, `${failed.length} handlers failed for ${body.kind} ${body.id}`);
        });
        busy ||= outcome === "busy";
      } catch (err) {
        failures.push(err);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} gateway handlers failed in a batch of ${items.length}`);
    if (busy) throw new RetryLater(60, "another delivery is handling some of these events");
  },
});

/** Cloudflare Queues: at most 100 messages per sendBatch. */
const QUEUE_BATCH = 100;

/**
 * Hands events to their handlers. With the DISCORD_QUEUE binding they are enqueued as `gateway.event` messages
 * (at-least-once, retried by the queue; its consumer calls handleGatewayEvent); without it (a Worker deployed without
 * the queue) handlers run here, and a failing handler is logged, not retried.
 */
export async function deliverGatewayEvents(env: Env, events: readonly GatewayEvent[]): Promise<void> {
  if (events.length === 0) return;
  const queue = (env as Partial<Pick<Env, "DISCORD_QUEUE">>).DISCORD_QUEUE;
  if (queue) {
    const enqueuedAt = Date.now();
    for (let i = 0; i < events.length; i += QUEUE_BATCH) {
      const envelopes = events.slice(i, i + QUEUE_BATCH).map((event): QueueEnvelope => ({ kind: gatewayEventKind.kind, id: event.id, body: event, enqueuedAt }));
      await queue.sendBatch(envelopes.map((body) => ({ body, contentType: "json" as const })));
    }
    return;
  }
  for (const event of events) {
    try {
      await handleGatewayEvent(env, event);
    } catch (err) {
      createLogger({ service: "discord-gateway" }).error("gateway event handler failed", { kind: event.kind, id: event.id, err });
    }
  }
}
