// Starts and stops the YouTube live-chat pollers from what is learnt about a broadcast: go-live's videos.list check
// (followYouTubeBroadcast) and the chat bot's own liveBroadcasts.list discovery (youtube-live-chat-discovery.ts) both
// end in followLiveChat, and YouTubeLiveChat.start is idempotent, so either source seeing the same broadcast again, or
// both seeing it at once, is harmless. An ended broadcast is stopped.
import { chatChannels, platformConnections } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import type { Logger } from "../logging/logger.ts";
import { type YouTubeVideo, liveStateOf } from "../platforms/youtube/youtube-client.ts";
import { getYouTubeLiveChatByName } from "./youtube-live-chat.ts";

export interface LiveChatFollowDeps {
  db: Db;
  logger: Logger;
  /** Absent where the binding is not deployed: then no chat is read. */
  liveChats: Env["YOUTUBE_LIVE_CHAT"] | null;
}

export type FollowOutcome = "started" | "stopped" | "no_channel" | "no_connection" | "unchanged";

type ChatChannelRow = typeof chatChannels.$inferSelect;

/** A broadcast on air with an open chat: its video id and its liveChatId. */
export interface OnAir {
  videoId: string;
  liveChatId: string;
}

/** The tenant's connection of the broadcaster's channel itself (the streamer's own Google account), if any. */
export async function broadcasterConnectionId(db: Db, channel: Pick<ChatChannelRow, "tenantId" | "channelId">): Promise<string | null> {
  const [own] = await db
    .select({ id: platformConnections.id })
    .from(platformConnections)
    .where(and(eq(platformConnections.tenantId, channel.tenantId), eq(platformConnections.platform, "youtube"), eq(platformConnections.platformUserId, channel.channelId)));
  return own?.id ?? null;
}

/** Points the channel row at the broadcast's chat and starts its poller (which re-syncs the tenant's timers). */
export async function followLiveChat(deps: LiveChatFollowDeps, channel: ChatChannelRow, onAir: OnAir): Promise<FollowOutcome> {
  if (!deps.liveChats) return "unchanged";
  // The bot reads and speaks with the channel row's connection, else the tenant's connection of that very channel.
  const connectionId = channel.connectionId ?? (await broadcasterConnectionId(deps.db, channel));
  if (!connectionId) {
    deps.logger.warn("youtube: a chat-bot channel is live but has no connection to read its chat with", { tenantId: channel.tenantId, channelId: channel.channelId });
    return "no_connection";
  }
  if (channel.liveChatId && channel.liveChatId !== onAir.liveChatId) await getYouTubeLiveChatByName(deps.liveChats, channel.liveChatId).stop("a new broadcast started");
  // YouTube chat can only be written with a channel's token: a channel added without one speaks with its owner's.
  if (channel.liveChatId !== onAir.liveChatId || channel.connectionId !== connectionId) {
    await deps.db.update(chatChannels).set({ liveChatId: onAir.liveChatId, connectionId, updatedAt: new Date() }).where(eq(chatChannels.id, channel.id));
  }
  await getYouTubeLiveChatByName(deps.liveChats, onAir.liveChatId).start({ tenantId: channel.tenantId, channelRowId: channel.id, channelId: channel.channelId, connectionId, ...onAir });
  return "started";
}

export async function followYouTubeBroadcast(deps: LiveChatFollowDeps, video: YouTubeVideo): Promise<FollowOutcome> {
  if (!deps.liveChats) return "unchanged";
  const [channel] = await deps.db
    .select()
    .from(chatChannels)
    .where(and(eq(chatChannels.platform, "youtube"), eq(chatChannels.channelId, video.snippet.channelId), eq(chatChannels.enabled, true)));
  if (!channel) return "no_channel";
  const live = liveStateOf(video);
  const liveChatId = video.liveStreamingDetails?.activeLiveChatId;
  if (live.state === "live" && liveChatId) return followLiveChat(deps, channel, { videoId: video.id, liveChatId });
  if (live.state === "ended" && channel.liveChatId) {
    await getYouTubeLiveChatByName(deps.liveChats, channel.liveChatId).stop("the broadcast ended", video.id);
    return "stopped";
  }
  return "unchanged";
}
