// Events from the streaming platforms' webhooks, after verification: normalized just enough to route (which
// platform, which event, its id for de-duplication), with the platform's payload kept for the features that read it
// (go-live here; the stream bot's inbox and chat later). Webhooks enqueue them as `platform.event` on the
// `nebula-discord` queue; its consumer runs every handler registered for the event's kind.
import { z } from "zod";
import { type QueueContext, defineQueueKind, sendToDiscordQueue } from "../discord-queue/queue-kind.ts";
import type { Env } from "../env.ts";

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

/** What a webhook does after verifying and de-duplicating: hand the event to the queue and answer. */
export async function publishPlatformEvent(env: Env, event: PlatformEvent, requestId?: string): Promise<void> {
  await sendToDiscordQueue(env.DISCORD_QUEUE, platformEventKind, `${event.kind}:${event.id}`, event, requestId ? { requestId } : {});
}
