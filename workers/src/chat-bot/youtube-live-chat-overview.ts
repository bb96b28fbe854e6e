// What the dashboard shows about YouTube live chat: the day's Data API quota (with the 80% warning) and, for each of
// the tenant's YouTube chat-bot channels, its poller's state (asked of its Durable Object only while one is named).
import { type api, chatChannels } from "@nebula/schema";
import { and, asc, eq } from "drizzle-orm";
import type { Cache } from "../cache/cache.ts";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import { quotaUsage } from "../platforms/youtube/youtube-quota.ts";
import { getYouTubeLiveChatByName } from "./youtube-live-chat.ts";

export interface LiveChatOverviewDeps {
  db: Db;
  cache: Cache;
  now: () => Date;
  liveChats: Env["YOUTUBE_LIVE_CHAT"] | null;
}

export async function youtubeLiveChatOverview(deps: LiveChatOverviewDeps, tenantId: string): Promise<api.YouTubeLiveChatOverview> {
  const rows = await deps.db
    .select()
    .from(chatChannels)
    .where(and(eq(chatChannels.tenantId, tenantId), eq(chatChannels.platform, "youtube")))
    .orderBy(asc(chatChannels.createdAt));
  const channels = await Promise.all(
    rows.map(async (r) => ({
      id: r.id,
      channelId: r.channelId,
      channelLogin: r.channelLogin,
      connectionId: r.connectionId,
      liveChatId: r.liveChatId,
      poller: r.liveChatId && deps.liveChats ? await getYouTubeLiveChatByName(deps.liveChats, r.liveChatId).status() : null,
    })),
  );
  return { quota: await quotaUsage(deps.cache, deps.now().getTime()), channels };
}
