// Chat in: Twitch EventSub channel.chat.message and Kick chat.message.sent, from the platform-events queue kind,
// turned into ChatMessage and handed to the bot; and Twitch revoking a channel's chat subscription. Imported by the chat bot's routes, so the Worker registers it.
import type { StreamPlatform } from "@nebula/schema";
import type { Cache } from "../cache/cache.ts";
import type { QueueContext } from "../discord-queue/queue-kind.ts";
import type { Env } from "../env.ts";
import type { Services } from "../http/context.ts";
import { platformClients } from "../platforms/platform-clients.ts";
import { onPlatformEvent } from "../platforms/platform-events.ts";
import { showChatOnOverlays } from "../overlays/overlay-chat.ts";
import { type ChatBotDeps, handleChatMessage } from "./chat-bot.ts";
import { type ChatMessage, fromKickChat, fromTwitchChat } from "./chat-message.ts";
import { type OutgoingChat, chatOutboxName } from "./chat-outbox.ts";
import { type ChatPlatform, chatCredentials, chatPlatform } from "./platform-chat.ts";
import { chatSubscriptionRevoked } from "./twitch-chat-subscription.ts";

/** The chat bot's dependencies from a queue batch's (or a Durable Object's) services and the Worker's bindings. */
export function chatBotDeps(env: Pick<Env, "CHAT_OUTBOX" | "SONG_QUEUE">, services: Services): ChatBotDeps {
  const clients = platformClients(services.config, services.cache);
  const credentials = chatCredentials(clients, services);
  const moderators = new Map<StreamPlatform, ChatPlatform>();
  return {
    get db() {
      return services.db;
    },
    cache: services.cache,
    config: services.config,
    logger: services.logger,
    now: services.now,
    clients,
    songQueues: env.SONG_QUEUE,
    async send(items: OutgoingChat[]) {
      const byOutbox = new Map<string, OutgoingChat[]>();
      for (const item of items) byOutbox.set(chatOutboxName(item.channel), [...(byOutbox.get(chatOutboxName(item.channel)) ?? []), item]);
      for (const [name, batch] of byOutbox) await env.CHAT_OUTBOX.getByName(name).enqueue(batch);
    },
    moderator(platform) {
      let m = moderators.get(platform);
      if (!m) {
        m = chatPlatform(platform, services.config, clients, credentials, services.cache);
        moderators.set(platform, m);
      }
      return m;
    },
  };
}

const depsOf = (ctx: QueueContext) => chatBotDeps(ctx.env, ctx.services);

/** The bot answers first; then the line (unless anti-spam removed it) goes to the tenant's overlay chat boxes. */
async function handleChatLine(ctx: QueueContext, message: ChatMessage): Promise<void> {
  const deps = depsOf(ctx);
  await showChatOnOverlays(deps, ctx.env.OVERLAY_ROOM, [{ message, outcome: await handleChatMessage(deps, message) }]);
}

/**
 * Twitch delivers a chat line once per channel.chat.message subscription of the channel: the chat bot's (user_id = the
 * bot, twitch-chat-subscription.ts) and the broadcaster's own connection's (user_id = the broadcaster) both carry it,
 * each under its own EventSub message id. The line's message_id picks one; a redelivery of that one still runs.
 */
async function firstDeliveryOf(cache: Cache, message: ChatMessage, eventId: string): Promise<boolean> {
  const key = `chat:line:${message.platform}:${message.messageId}`;
  // Twitch retries a delivery for a few hours at most; a line older than that is not answered anyway.
  if (await cache.setIfAbsent(key, eventId, 6 * 3600)) return true;
  return (await cache.get(key)) === eventId;
}

onPlatformEvent("twitch.notification", async (event, ctx) => {
  if (event.subscriptionType !== "channel.chat.message") return;
  const message = fromTwitchChat(event.event);
  if (!(await firstDeliveryOf(ctx.services.cache, message, event.id))) return;
  await handleChatLine(ctx, message);
});

onPlatformEvent("twitch.revocation", (event, ctx) => chatSubscriptionRevoked(ctx.services, event));

onPlatformEvent("kick.event", async (event, ctx) => {
  if (event.eventType !== "chat.message.sent") return;
  await handleChatLine(ctx, fromKickChat(event.event));
});
