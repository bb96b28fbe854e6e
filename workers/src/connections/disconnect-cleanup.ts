// What a disconnected account leaves running besides its tokens, undone after the connection row is gone: what the
// platform keeps pushing for it (Twitch EventSub and Kick event subscriptions, a YouTube live-chat poller), the inbox source its connect registered, and chat-bot channels speaking with it (they
// fall back to the app's token; a Twitch one whose bot is the streamer asks Twitch again for its chat). Each step runs on
// its own: a failure is logged and reported, and the rest still run.
import type { ConnectionPlatform } from "@nebula/schema/api/connections";
import { CONNECTION_SCOPES } from "@nebula/schema/api/connections";
import { chatChannels, inboxSources, platformConnections } from "@nebula/schema";
import { and, eq, isNotNull, ne, or } from "drizzle-orm";
import { syncTimers } from "../chat-bot/chat-bot-admin.ts";
import { forgetChatChannel } from "../chat-bot/chat-config.ts";
import { recheckOwnTwitchChats } from "../chat-bot/twitch-chat-subscription.ts";
import { getYouTubeLiveChatByName } from "../chat-bot/youtube-live-chat.ts";
import type { Env } from "../env.ts";
import { AppError } from "../errors/app-error.ts";
import { forgetInboxRecipients } from "../inbox/recipients.ts";
import { KICK_CHAT_EVENTS, KICK_INBOX_EVENTS } from "../platforms/kick/kick-event-subscriptions.ts";
import { platformClients } from "../platforms/platform-clients.ts";
import { twitchEventSubscriptions } from "./connection-inbox.ts";
import type { ConnectionDeps, ConnectionRow } from "./connection-tokens.ts";

/** The Durable Objects a cleanup talks to; null where the binding is not deployed (then that part is skipped). */
export interface DisconnectBindings {
  liveChats: Env["YOUTUBE_LIVE_CHAT"] | null;
  timers: Env["CHAT_TIMERS"] | null;
}

export type CleanupDeps = ConnectionDeps & DisconnectBindings;

/** What one step did, for the audit log: counts, or why it did nothing, or that it failed. */
export type CleanupOutcome = Record<string, number | string>;
export type CleanupReport = Record<string, CleanupOutcome>;

type CleanupStep = (deps: CleanupDeps, connection: ConnectionRow) => Promise<CleanupOutcome>;

/**
 * Twitch keeps one subscription per (type, condition) for the app, shared by every tenant that connected the same
 * channel: they are deleted only when no connection of that broadcaster is left. Only the types a connection creates
 * (connection-inbox.ts) are touched; go-live's stream.online/offline belong to tracked streamers and stay.
 * channel.raid needs no authorization, so it would keep delivering after the revoke if left.
 */
async function unsubscribeTwitchEvents(deps: CleanupDeps, connection: ConnectionRow): Promise<CleanupOutcome> {
  const twitch = platformClients(deps.config, deps.cache).twitch;
  if (!twitch) return { skipped: "Twitch is not configured" };
  const [other] = await deps.db
    .select({ id: platformConnections.id })
    .from(platformConnections)
    .where(and(eq(platformConnections.platform, "twitch"), eq(platformConnections.platformUserId, connection.platformUserId)))
    .limit(1);
  if (other) return { kept: "the channel is still connected in another tenant or by another member" };
  const everyScope = [...CONNECTION_SCOPES.twitch.base, ...CONNECTION_SCOPES.twitch.chatbot];
  const created = twitchEventSubscriptions(connection.platformUserId, everyScope);
  const ours = (await twitch.listEventSubs({ userId: connection.platformUserId })).filter((s) =>
    created.some((spec) => spec.type === s.type && Object.entries(spec.condition).every(([k, v]) => s.condition[k] === v)),
  );
  for (const s of ours) await twitch.deleteEventSub(s.id);
  return { deleted: ours.length };
}

/**
 * Kick, like Twitch, has one subscription per app and broadcaster: the inbox and chat events a connect made are deleted
 * only when nothing else still reads that channel: no other Kick connection of it, no other tenant's inbox source, no
 * chat-bot channel. Go-live's livestream.status.updated belongs to tracked streamers and stays.
 */
async function unsubscribeKickEvents(deps: CleanupDeps, connection: ConnectionRow): Promise<CleanupOutcome> {
  const kick = platformClients(deps.config, deps.cache).kick;
  if (!deps.config.KICK_CLIENT_ID) return { skipped: "Kick is not configured" };
  const broadcasterId = connection.platformUserId;
  const [other] = await deps.db
    .select({ id: platformConnections.id })
    .from(platformConnections)
    .where(and(eq(platformConnections.platform, "kick"), eq(platformConnections.platformUserId, broadcasterId)))
    .limit(1);
  if (other) return { kept: "the channel is still connected in another tenant or by another member" };
  const [source] = await deps.db
    .select({ id: inboxSources.id })
    .from(inboxSources)
    .where(
      and(
        eq(inboxSources.platform, "kick"),
        eq(inboxSources.broadcasterId, broadcasterId),
        or(ne(inboxSources.tenantId, connection.tenantId), ne(inboxSources.streamerUserId, connection.userId)),
      ),
    )
    .limit(1);
  const [chat] = await deps.db
    .select({ id: chatChannels.id })
    .from(chatChannels)
    .where(and(eq(chatChannels.platform, "kick"), eq(chatChannels.channelId, broadcasterId)))
    .limit(1);
  if (source || chat) return { kept: "the channel still feeds an inbox or the chat bot" };
  const ours = new Set([...KICK_INBOX_EVENTS, ...KICK_CHAT_EVENTS].map((e) => e.name));
  const subscriptions = (await kick.listEventSubscriptions(Number(broadcasterId))).filter((s) => ours.has(s.event));
  await kick.deleteEventSubscriptions(subscriptions.map((s) => s.id));
  return { deleted: subscriptions.length };
}

/** The poller of a live chat this connection reads (followLiveChat records it on the channel row) stops now. */
async function stopYouTubeLiveChats(deps: CleanupDeps, connection: ConnectionRow): Promise<CleanupOutcome> {
  if (!deps.liveChats) return { skipped: "no live-chat binding" };
  const channels = await deps.db
    .select({ liveChatId: chatChannels.liveChatId })
    .from(chatChannels)
    .where(and(eq(chatChannels.connectionId, connection.id), eq(chatChannels.platform, "youtube"), isNotNull(chatChannels.liveChatId)));
  let stopped = 0;
  for (const { liveChatId } of channels) {
    const poller = await getYouTubeLiveChatByName(deps.liveChats, liveChatId as string).stop("the connection was disconnected");
    if (poller?.status === "stopped") stopped += 1;
  }
  return { stopped };
}

/**
 * What each platform keeps pushing to us for an account until told to stop, stopped at the platform. The one place a
 * platform's disconnect cleanup is added (Kick: its event subscriptions).
 */
export const PLATFORM_CLEANUP: Partial<Record<ConnectionPlatform, CleanupStep>> = {
  twitch: unsubscribeTwitchEvents,
  kick: unsubscribeKickEvents,
  youtube: stopYouTubeLiveChats,
};

/** The source registerInboxSource added: this channel in this tenant, for the member who connected it. */
async function removeInboxSource(deps: CleanupDeps, connection: ConnectionRow): Promise<CleanupOutcome> {
  if (connection.platform === "spotify") return { removed: 0 };
  const gone = await deps.db
    .delete(inboxSources)
    .where(
      and(
        eq(inboxSources.tenantId, connection.tenantId),
        eq(inboxSources.platform, connection.platform),
        eq(inboxSources.broadcasterId, connection.platformUserId),
        eq(inboxSources.streamerUserId, connection.userId),
      ),
    )
    .returning({ id: inboxSources.id });
  if (gone.length > 0) await forgetInboxRecipients(deps.cache, connection.platform, connection.platformUserId);
  return { removed: gone.length };
}

/** Channels that spoke with this account fall back to the app's token; the bot's cached copies are dropped. */
async function unlinkChatChannels(deps: CleanupDeps, connection: ConnectionRow): Promise<CleanupOutcome> {
  const unlinked = await deps.db
    .update(chatChannels)
    .set({ connectionId: null, updatedAt: deps.now() })
    .where(eq(chatChannels.connectionId, connection.id))
    .returning({ platform: chatChannels.platform, channelId: chatChannels.channelId });
  for (const channel of unlinked) await forgetChatChannel(deps.cache, channel);
  if (unlinked.length > 0) await syncTimers({ db: deps.db, cache: deps.cache, now: deps.now, timers: deps.timers }, connection.tenantId);
  return { unlinked: unlinked.length };
}

/** After the Twitch step: a chat-bot channel whose bot is this broadcaster heard its chat through what that step deleted. */
const recheckTwitchChat: CleanupStep = (deps, connection) => recheckOwnTwitchChats(deps, connection.platformUserId);

/** Runs every step for a connection whose row is already deleted; never throws. */
export async function cleanUpAfterDisconnect(deps: CleanupDeps, connection: ConnectionRow): Promise<CleanupReport> {
  // The platform's step first: the YouTube poller is found through the channel rows the unlink step clears.
  const atPlatform = PLATFORM_CLEANUP[connection.platform];
  const steps: [string, CleanupStep][] = [
    ...(atPlatform ? [[connection.platform, atPlatform] as [string, CleanupStep]] : []),
    ...(connection.platform === "twitch" ? [["twitchChat", recheckTwitchChat] as [string, CleanupStep]] : []),
    ["inboxSource", removeInboxSource],
    ["chatChannels", unlinkChatChannels],
  ];
  const report: CleanupReport = {};
  for (const [name, step] of steps) {
    try {
      report[name] = await step(deps, connection);
    } catch (err) {
      deps.logger.warn("connections: a disconnect cleanup step failed", { step: name, platform: connection.platform, connectionId: connection.id, tenantId: connection.tenantId, err });
      report[name] = { failed: err instanceof AppError ? err.message : "unexpected error" };
    }
  }
  return report;
}
