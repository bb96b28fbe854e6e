// How the Twitch chat bot hears a channel: one EventSub channel.chat.message subscription per chat-bot channel, with
// condition {broadcaster_user_id: the channel, user_id: the bot}, made with the app token like every EventSub
// subscription here, whatever token the bot speaks with. Its outcome is stored on the channel row for the Channels tab.
// Twitch's rule (EventSub reference, channel.chat.message v1): over webhooks an app access token is used, and the bot
// (user_id) must have granted this client user:read:chat and user:bot, and the broadcaster channel:bot, unless the bot
// is a moderator there (or is the broadcaster). Otherwise Twitch answers 403.
import { chatChannels, platformConnections } from "@nebula/schema";
import { and, eq, isNull, or } from "drizzle-orm";
import type { Cache } from "../cache/cache.ts";
import type { Config } from "../config/config.ts";
import { featuresOf } from "../connections/connect-flow.ts";
import { RECREATE_ON_REVOCATION, revocationFailure } from "../connections/eventsub-status.ts";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import type { Logger } from "../logging/logger.ts";
import { platformClients } from "../platforms/platform-clients.ts";
import { EVENTSUB_HEALTHY, type EventSubSubscription } from "../platforms/twitch/twitch-client.ts";

export interface TwitchChatSubscriptionDeps {
  db: Db;
  cache: Cache;
  config: Config;
  logger: Logger;
}

type ChannelRow = typeof chatChannels.$inferSelect;
type ChatPair = { channelId: string; botUserId: string };

export const CHAT_MESSAGE_TYPE = "channel.chat.message";

// Helix's list takes one filter at a time (type, status or user_id): by user, then the type is picked here.
const isPair = (s: EventSubSubscription, pair: ChatPair) => s.type === CHAT_MESSAGE_TYPE && s.condition.broadcaster_user_id === pair.channelId && s.condition.user_id === pair.botUserId;

/** Why Twitch refused, in words a streamer can act on. */
export function chatSubscriptionFailure(err: unknown, pair: ChatPair): string {
  if (err instanceof AppError && err.code === "RATE_LIMITED") return "Twitch's rate limit was reached; it is tried again when an account connects or the channel is saved";
  const details = (err instanceof AppError ? err.details : null) as { status?: number; twitchMessage?: string } | null;
  const said = details?.twitchMessage ? ` (${details.twitchMessage})` : "";
  if (details?.status === 403) {
    return pair.botUserId === pair.channelId
      ? `Twitch refused to deliver this chat${said}: the broadcaster must connect with the chat bot enabled (user:read:chat, user:bot)`
      : `Twitch refused to deliver this chat${said}: the bot account must connect with the chat bot enabled (user:read:chat, user:bot), and the broadcaster must grant channel:bot or make the bot a moderator`;
  }
  if (details?.status !== undefined) return `Twitch answered ${details.status}${said}`;
  return "Twitch could not be reached";
}

function twitchOf(deps: TwitchChatSubscriptionDeps) {
  const twitch = platformClients(deps.config, deps.cache).twitch;
  const base = deps.config.PUBLIC_URL?.replace(/\/$/, "");
  const secret = deps.config.TWITCH_EVENTSUB_SECRET;
  return twitch && base && secret ? { twitch, callback: `${base}/webhooks/twitch`, secret } : null;
}

/**
 * Makes sure Twitch delivers the channel's chat to us, listing first (an identical subscription answers 409, and a
 * revoked or failed one blocks a new one until deleted), and stores the outcome on the row. Never throws for Twitch's
 * answers. Not a Twitch channel, or EventSub not configured: the row as it was.
 */
export async function subscribeTwitchChat(deps: TwitchChatSubscriptionDeps, row: ChannelRow): Promise<ChannelRow> {
  const eventSub = row.platform === "twitch" ? twitchOf(deps) : null;
  if (!eventSub) return row;
  const { twitch } = eventSub;
  const pair = { channelId: row.channelId, botUserId: row.botUserId };
  let outcome: { id: string | null; failure: string | null };
  try {
    const existing = (await twitch.listEventSubs({ userId: pair.channelId })).filter((s) => isPair(s, pair));
    const healthy = existing.find((s) => EVENTSUB_HEALTHY.has(s.status));
    if (healthy) outcome = { id: healthy.id, failure: null };
    else {
      for (const s of existing) await twitch.deleteEventSub(s.id);
      const created = await twitch.createEventSub({ type: CHAT_MESSAGE_TYPE, version: "1", condition: { broadcaster_user_id: pair.channelId, user_id: pair.botUserId }, callback: eventSub.callback, secret: eventSub.secret });
      // "exists": made in between by a concurrent save; Twitch has it, which is what counts.
      outcome = { id: created === "exists" ? ((await twitch.listEventSubs({ userId: pair.channelId })).find((s) => isPair(s, pair))?.id ?? null) : created.id, failure: null };
    }
  } catch (err) {
    deps.logger.warn("chat-bot: the channel's chat subscription was not created", { channelRowId: row.id, ...pair, err });
    outcome = { id: null, failure: chatSubscriptionFailure(err, pair) };
  }
  const [saved] = await deps.db
    .update(chatChannels)
    .set({ chatSubscriptionId: outcome.id, chatSubscriptionFailure: outcome.failure })
    .where(eq(chatChannels.id, row.id))
    .returning();
  return saved ?? row;
}

/**
 * Still needed after a channel left or changed bot: another chat-bot row hears the same pair, or the broadcaster's own
 * connection with the chat bot's scopes made the same subscription (connection-inbox.ts: user_id = broadcaster).
 */
async function pairStillNeeded(db: Db, pair: ChatPair): Promise<boolean> {
  const [row] = await db
    .select({ id: chatChannels.id })
    .from(chatChannels)
    .where(and(eq(chatChannels.platform, "twitch"), eq(chatChannels.channelId, pair.channelId), eq(chatChannels.botUserId, pair.botUserId)))
    .limit(1);
  if (row) return true;
  if (pair.botUserId !== pair.channelId) return false;
  const connections = await db
    .select({ scopes: platformConnections.scopes })
    .from(platformConnections)
    .where(and(eq(platformConnections.platform, "twitch"), eq(platformConnections.platformUserId, pair.channelId)));
  return connections.some((c) => featuresOf("twitch", c.scopes).chatbot);
}

/** Deletes the pair's subscription at Twitch unless something still reads it. Failures are logged, never thrown. */
export async function unsubscribeTwitchChat(deps: TwitchChatSubscriptionDeps, pair: ChatPair): Promise<{ deleted: number } | { kept: true }> {
  const eventSub = twitchOf(deps);
  if (!eventSub) return { deleted: 0 };
  if (await pairStillNeeded(deps.db, pair)) return { kept: true };
  try {
    const ours = (await eventSub.twitch.listEventSubs({ userId: pair.channelId })).filter((s) => isPair(s, pair));
    for (const s of ours) await eventSub.twitch.deleteEventSub(s.id);
    return { deleted: ours.length };
  } catch (err) {
    deps.logger.warn("chat-bot: the channel's chat subscription was not deleted", { ...pair, err });
    return { deleted: 0 };
  }
}

/**
 * Twitch revoked a chat-bot channel's subscription (EventSub "Revoking your subscription"): the Channels tab says why,
 * and one that a new subscription fixes (our webhook failed too often, a retired version) is made again at once.
 */
export async function chatSubscriptionRevoked(deps: TwitchChatSubscriptionDeps, event: { subscriptionId: string; subscriptionType: string; status: string }): Promise<void> {
  if (event.subscriptionType !== CHAT_MESSAGE_TYPE) return;
  const rows = await deps.db
    .update(chatChannels)
    .set({ chatSubscriptionId: null, chatSubscriptionFailure: revocationFailure(event.status).reason })
    .where(and(eq(chatChannels.platform, "twitch"), eq(chatChannels.chatSubscriptionId, event.subscriptionId)))
    .returning();
  if (RECREATE_ON_REVOCATION.has(event.status)) for (const row of rows) await subscribeTwitchChat(deps, row);
}

/**
 * The broadcaster's connection is gone and with it the {channel, broadcaster} subscription it made (disconnect-cleanup.ts):
 * chat-bot channels where the broadcaster's own account is the bot heard through that one, so each asks Twitch again
 * and the Channels tab shows whether the bot still hears the chat. Answers how many still do.
 */
export async function recheckOwnTwitchChats(deps: TwitchChatSubscriptionDeps, broadcasterId: string): Promise<{ rechecked: number; heard: number }> {
  if (!twitchOf(deps)) return { rechecked: 0, heard: 0 };
  const rows = await deps.db
    .select()
    .from(chatChannels)
    .where(and(eq(chatChannels.platform, "twitch"), eq(chatChannels.channelId, broadcasterId), eq(chatChannels.botUserId, broadcasterId)));
  let heard = 0;
  for (const row of rows) if ((await subscribeTwitchChat(deps, row)).chatSubscriptionId) heard++;
  return { rechecked: rows.length, heard };
}

/**
 * A Twitch account just connected: the chat-bot channels it could unblock (it is their bot, or their broadcaster)
 * and that do not hear their chat yet are subscribed again. Answers how many now hear it.
 */
export async function resubscribeTwitchChatsOf(deps: TwitchChatSubscriptionDeps, platformUserId: string): Promise<number> {
  if (!twitchOf(deps)) return 0;
  const rows = await deps.db
    .select()
    .from(chatChannels)
    .where(and(eq(chatChannels.platform, "twitch"), isNull(chatChannels.chatSubscriptionId), or(eq(chatChannels.botUserId, platformUserId), eq(chatChannels.channelId, platformUserId))));
  let fixed = 0;
  for (const row of rows) if ((await subscribeTwitchChat(deps, row)).chatSubscriptionId) fixed++;
  return fixed;
}
