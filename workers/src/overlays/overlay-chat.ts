// Chat on stream: every chat line the chat bot let through (Twitch, Kick, YouTube) goes to each of the tenant's overlays
// with a chat box, as a numbered `chat` event. It runs after the bot has answered, so a reply never waits on it; a
// line anti-spam deleted is never shown, and each chat box applies its own settings (commands, bot lines, max lines).
import type { overlayWire } from "@nebula/schema";
import type { Cache } from "../cache/cache.ts";
import type { ChatOutcome } from "../chat-bot/chat-bot.ts";
import { chatChannelOf } from "../chat-bot/chat-config.ts";
import type { ChatMessage } from "../chat-bot/chat-message.ts";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import type { Logger } from "../logging/logger.ts";
import { overlayTargets } from "./overlay-inbox.ts";
import type { KeyedEvent } from "./overlay-room.ts";
import { overlayChatTargetsKey } from "./overlays.ts";

export interface OverlayChatDeps {
  db: Db;
  cache: Cache;
  logger: Logger;
  now: () => Date;
}

/** A chat line and what the chat bot made of it. */
export interface HandledChatLine {
  message: ChatMessage;
  outcome: ChatOutcome;
}

const CHAT_LAYERS = new Set<overlayWire.OverlayLayerType>(["chat-box"]);
const PLATFORM: Record<ChatMessage["platform"], overlayWire.ChatEvent["platform"]> = { twitch: "twitch", youtube: "youtube", kick: "kick" };
const clip = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text);

/** The same chat line has the same key in a room: a queue redelivery never shows it twice. */
export const chatLineKey = (message: Pick<ChatMessage, "platform" | "messageId">) => `chat:${message.platform}:${message.messageId}`;

/** The overlay event of a line; `bot`: the tenant's chat bot wrote it. */
export function chatEventOf(message: ChatMessage, bot: boolean, at: Date): overlayWire.ChatEvent {
  return {
    type: "chat",
    platform: PLATFORM[message.platform] ?? "other",
    user: clip(message.user.name.trim() || message.user.login || "Anonymous", 100),
    text: clip(message.text, 500),
    colour: message.colour ?? null,
    ...(bot ? { bot: true } : {}),
    at: at.toISOString(),
  };
}

/**
 * Sends the lines the bot let through to the overlays of the tenant whose bot sits in their channel. Never throws:
 * the caller is the chat bot's queue handler, and a retry would run the bot (and its reply) again.
 */
export async function showChatOnOverlays(deps: OverlayChatDeps, rooms: Env["OVERLAY_ROOM"], lines: readonly HandledChatLine[]): Promise<void> {
  try {
    const byTenant = new Map<string, KeyedEvent[]>();
    for (const { message, outcome } of lines) {
      // Anti-spam removed it from chat: it must not stay on stream either.
      if (outcome.kind === "moderated") continue;
      const channel = await chatChannelOf(deps, message.platform, message.channelId);
      if (!channel) continue;
      // In a channel the bot sits in, the bot ignores nothing but its own lines (chat-bot.ts, isBotsOwnLine).
      const event = chatEventOf(message, outcome.kind === "ignored", deps.now());
      byTenant.set(channel.tenantId, [...(byTenant.get(channel.tenantId) ?? []), { key: chatLineKey(message), event }]);
    }
    await Promise.all([...byTenant].map(([tenantId, events]) => sendToChatBoxes(deps, rooms, tenantId, events)));
  } catch (err) {
    deps.logger.warn("overlays: chat lines not sent", { err });
  }
}

async function sendToChatBoxes(deps: OverlayChatDeps, rooms: Env["OVERLAY_ROOM"], tenantId: string, events: KeyedEvent[]): Promise<void> {
  const targets = await overlayTargets(deps, tenantId, CHAT_LAYERS, overlayChatTargetsKey(tenantId));
  await Promise.all(
    targets.map(async (overlay) => {
      try {
        // Null: the room is not (or no longer) this overlay's; chat is live only, so the line is not retried there.
        if ((await rooms.getByName(overlay.publicId).broadcastKeyed(tenantId, events)) === null) deps.logger.debug("overlays: a chat box's room is not live", { tenantId, overlayId: overlay.id });
      } catch (err) {
        deps.logger.warn("overlays: chat lines not sent to an overlay", { tenantId, overlayId: overlay.id, err });
      }
    }),
  );
}
