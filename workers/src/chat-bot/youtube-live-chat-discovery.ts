// The cron job that finds the broadcasts of YouTube chat-bot channels go-live does not follow: each enabled YouTube
// chat-bot channel whose streamer connected that very channel is asked for its active broadcast (liveBroadcasts.list,
// 1 unit, the streamer's token), and a broadcast on air gets its chat poller started through the same followLiveChat
// as go-live's. A running poller is not asked about: its own liveChatMessages.list learns the end first (offlineAt,
// liveChatEnded) and stops it. The last 5% of the day's quota is left to the chats already being read.
import { chatChannels, platformConnections } from "@nebula/schema";
import { and, eq, inArray } from "drizzle-orm";
import { tokenFor } from "../connections/connection-tokens.ts";
import type { Env } from "../env.ts";
import type { Services } from "../http/context.ts";
import { platformClients } from "../platforms/platform-clients.ts";
import type { LiveBroadcast } from "../platforms/youtube/youtube-client.ts";
import { isQuotaExhausted, quotaUsage } from "../platforms/youtube/youtube-quota.ts";
import { getYouTubeLiveChatByName } from "./youtube-live-chat.ts";
import { followLiveChat } from "./youtube-live-chat-follow.ts";
import { isActive } from "./youtube-live-chat-state.ts";

/** From this share of the day's units on, the job asks YouTube nothing. */
export const DISCOVERY_QUOTA_CEILING = 0.95;

/** The life cycle states in which a broadcast is on air ("active" in liveBroadcasts.list's broadcastStatus). */
const ON_AIR = new Set(["live", "liveStarting"]);

export interface DiscoveryRun {
  channels: number;
  /** Channels whose poller was already running: not asked about. */
  running: number;
  /** liveBroadcasts.list calls made. */
  asked: number;
  /** Channels on air whose poller was started (or found started). */
  followed: number;
  failed: number;
  /** Why the run asked nothing (more): the day's quota, or YouTube not configured here. */
  stopped: "quota" | "not_configured" | null;
}

function onAirBroadcast(broadcasts: readonly LiveBroadcast[], channelId: string): { videoId: string; liveChatId: string } | null {
  const b = broadcasts.find((x) => x.snippet.channelId === channelId && ON_AIR.has(x.status.lifeCycleStatus) && x.snippet.liveChatId);
  return b?.snippet.liveChatId ? { videoId: b.id, liveChatId: b.snippet.liveChatId } : null;
}

export async function runYouTubeLiveChatDiscovery(env: Pick<Env, "YOUTUBE_LIVE_CHAT">, services: Services): Promise<DiscoveryRun> {
  const run: DiscoveryRun = { channels: 0, running: 0, asked: 0, followed: 0, failed: 0, stopped: null };
  const youtube = platformClients(services.config, services.cache).youtube;
  const liveChats = env.YOUTUBE_LIVE_CHAT ?? null;
  if (!youtube || !liveChats) return { ...run, stopped: "not_configured" };
  const quota = await quotaUsage(services.cache, services.now().getTime());
  if (quota.used >= quota.limit * DISCOVERY_QUOTA_CEILING) return { ...run, stopped: "quota" };

  // liveBroadcasts.list answers for the token's own channel: only a connection of the broadcaster's channel can ask.
  const rows = await services.db
    .select({ channel: chatChannels, connectionId: platformConnections.id })
    .from(chatChannels)
    .innerJoin(platformConnections, and(eq(platformConnections.tenantId, chatChannels.tenantId), eq(platformConnections.platform, "youtube"), eq(platformConnections.platformUserId, chatChannels.channelId)))
    .where(and(eq(chatChannels.platform, "youtube"), eq(chatChannels.enabled, true), inArray(platformConnections.status, ["connected", "expiring"])));
  run.channels = rows.length;
  const deps = { db: services.db, logger: services.logger, liveChats };
  for (const { channel, connectionId } of rows) {
    if (channel.liveChatId) {
      const poller = await getYouTubeLiveChatByName(liveChats, channel.liveChatId).status();
      if (poller && isActive(poller)) {
        run.running += 1;
        continue;
      }
    }
    try {
      const token = await tokenFor(services, connectionId);
      const broadcasts = await youtube.activeBroadcasts({ accessToken: token.accessToken });
      run.asked += 1;
      const onAir = onAirBroadcast(broadcasts, channel.channelId);
      if (onAir && (await followLiveChat(deps, channel, onAir)) === "started") run.followed += 1;
    } catch (err) {
      // The day's units ran out mid-run (our tracker or Google): the next channel would be refused too.
      if (isQuotaExhausted(err)) return { ...run, stopped: "quota" };
      run.failed += 1;
      services.logger.warn("youtube: could not look for a chat-bot channel's broadcast", { err, tenantId: channel.tenantId, channelId: channel.channelId });
    }
  }
  return run;
}
