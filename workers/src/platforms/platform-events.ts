// Events from the streaming platforms' webhooks, after verification: normalized just enough to route (which
// platform, which event, its id for de-duplication), with the platform's payload kept for the features that read it
// (go-live, the inbox, the chat bot, EventSub revocations; each registers with onPlatformEvent). Webhooks enqueue
// them as `platform.event` on the `nebula-discord` queue; its consumer runs every handler registered for the event's
// kind. Events a viewer watches happen live (chat commands, alerts) also run at once after the webhook's answer,
// under the consumer's claim.
import { z } from "zod";
import { loadConfig } from "../config/config.ts";
import { type QueueContext, defineQueueKind, runClaimed, sendToDiscordQueue } from "../discord-queue/queue-kind.ts";
import type { Env } from "../env.ts";
import { baseLogger, createServices } from "../services/services.ts";

const id = z.string().min(1).max(200);
const payload = z.record(z.string(), z.unknown());

export const PlatformEvent = z.discriminatedUnion("kind", [
  /** An EventSub notification (stream.online, stream.offline, channel.follow …); `event` is Twitch's `event` object. */
  z.object({ kind: z.literal("twitch.notification"), id, subscriptionId: z.string(), subscriptionType: z.string(), event: payload }),
  /** Twitch revoked a subscription (user removed, authorization revoked, notification failures exceeded). */
  z.object({ kind: z.literal("twitch.revocation"), id, subscriptionId: z.string(), subscriptionType: z.string(), status: z.string(), condition: z.record(z.string(), z.string()) }),
  /** A WebSub push for a YouTube channel's feed: a video was published or changed (live state: ask videos.list). */
  z.object({ kind: z.literal("youtube.video"), id, channelId: z.string(), videoId: z.string() }),
  /** A Kick webhook (livestream.status.updated, chat.message.sent …); `event` is the body. */
  z.object({ kind: z.literal("kick.event"), id, eventType: z.string(), eventVersion: z.string(), event: payload }),
]);
export type PlatformEvent = z.infer<typeof PlatformEvent>;
export type PlatformEventKind = PlatformEvent["kind"];
export type PlatformEventOf<K extends PlatformEventKind> = Extract<PlatformEvent, { kind: K }>;
export type PlatformEventHandler<K extends PlatformEventKind> = (event: PlatformEventOf<K>, ctx: QueueContext) => Promise<void>;

type AnyHandler = (event: PlatformEvent, ctx: QueueContext) => Promise<void>;
const handlers = new Map<PlatformEventKind, AnyHandler[]>();

/** Registers a feature's handler for one kind; returns a function that removes it. */
export function onPlatformEvent<K extends PlatformEventKind>(kind: K, handler: PlatformEventHandler<K>): () => void {
  const list = handlers.get(kind) ?? [];
  const run = handler as unknown as AnyHandler;
  list.push(run);
  handlers.set(kind, list);
  return () => {
    const at = list.indexOf(run);
    if (at >= 0) list.splice(at, 1);
  };
}

/** Runs every handler of the event's kind; one failing does not stop the others, and the message is retried after. */
export async function handlePlatformEvent(event: PlatformEvent, ctx: QueueContext): Promise<void> {
  const list = [...(handlers.get(event.kind) ?? [])];
  const failures: unknown[] = [];
  for (const handler of list) {
    try {
      await handler(event, ctx);
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} of ${list.length} handlers failed for ${event.kind} ${event.id}`);
}

export const platformEventKind = defineQueueKind({
  kind: "platform.event",
  body: PlatformEvent,
  handle: (event, ctx) => handlePlatformEvent(event, ctx),
  // Longer than any platform's retry horizon (Twitch retries for a few hours at most).
  rememberSeconds: 2 * 86_400,
});

/** Chat lines (a command waits for its reply) and what plays as an alert on stream: a viewer is watching for them. */
const LIVE_TWITCH = new Set(["channel.chat.message", "channel.follow", "channel.subscribe", "channel.subscription.message", "channel.subscription.gift", "channel.cheer", "channel.raid"]);
const LIVE_KICK = new Set(["chat.message.sent", "channel.followed", "channel.subscription.new", "channel.subscription.renewal", "channel.subscription.gifts", "kicks.gifted"]);

export function isLiveEvent(event: PlatformEvent): boolean {
  if (event.kind === "twitch.notification") return LIVE_TWITCH.has(event.subscriptionType);
  if (event.kind === "kick.event") return LIVE_KICK.has(event.eventType);
  return false;
}

/**
 * What a webhook does after verifying and de-duplicating: hand the event to the queue, and for a live event also
 * hand `afterAnswer` a run of it at once (the queue delivers a batch only after its max_batch_timeout; a chat reply
 * or an alert a second late is a visible lag on stream).
 */
export async function publishPlatformEvent(env: Env, event: PlatformEvent, requestId?: string, afterAnswer?: (work: Promise<void>) => void): Promise<void> {
  await sendToDiscordQueue(env.DISCORD_QUEUE, platformEventKind, `${event.kind}:${event.id}`, event, requestId ? { requestId } : {});
  if (afterAnswer && isLiveEvent(event)) afterAnswer(runPlatformEventNow(env, event, requestId ?? null));
}

/**
 * The queued event, run now under the consumer's claim on the same id: the queue's copy then finds it done (or, if
 * this run is still going, looks again later). A failure here releases the claim, so the queue's copy runs it: the
 * queue stays the at-least-once guarantee, this run only makes the common case fast.
 */
export async function runPlatformEventNow(env: Env, event: PlatformEvent, requestId: string | null): Promise<void> {
  const config = loadConfig(env);
  const logger = baseLogger(config).child({ kind: platformEventKind.kind, eventId: `${event.kind}:${event.id}`, requestId });
  const scope = createServices(env, config, logger);
  try {
    const ctx: QueueContext = { env, services: scope.services, logger, attempts: 1, requestId };
    await runClaimed(scope.services.cache, platformEventKind.kind, `${event.kind}:${event.id}`, () => handlePlatformEvent(event, ctx), platformEventKind.rememberSeconds);
  } catch (err) {
    logger.warn("live platform event failed; its queue delivery runs it again", { err });
  } finally {
    await scope.dispose();
  }
}
