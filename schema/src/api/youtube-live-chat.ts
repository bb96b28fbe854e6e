// The YouTube live-chat poller on the wire: /api/t/:tenantId/streams/chat-bot/youtube: the day's Data API quota (units
// used of 10,000, the 80% warning, when it resets) and, per YouTube chat channel, what its poller is doing.
import { z } from "zod";

const isoDate = z.iso.datetime({ offset: true });

export const YOUTUBE_POLLER_STATUSES = ["polling", "backoff", "paused_quota", "ended", "stopped"] as const;
export const YouTubeLiveChatPollerStatus = z.enum(YOUTUBE_POLLER_STATUSES);
export type YouTubeLiveChatPollerStatus = z.infer<typeof YouTubeLiveChatPollerStatus>;

export const YouTubeQuotaUsage = z.object({
  /** The quota day (America/Los_Angeles), YYYY-MM-DD. */
  day: z.string(),
  used: z.number().int().nonnegative(),
  limit: z.number().int().positive(),
  /** From 80% of the day's units. */
  warn: z.boolean(),
  exhausted: z.boolean(),
  resetsAt: isoDate,
});
export type YouTubeQuotaUsage = z.infer<typeof YouTubeQuotaUsage>;

export const YouTubeLiveChatPoller = z.object({
  videoId: z.string(),
  liveChatId: z.string(),
  status: YouTubeLiveChatPollerStatus,
  /** The wait between reads now: YouTube's pollingIntervalMillis, stretched so the day's reads fit the quota left. */
  pollingIntervalMs: z.number().int().nullable(),
  /** What YouTube asked for; less than pollingIntervalMs while the quota budget stretches it. */
  youtubeIntervalMs: z.number().int().nullable(),
  lastPollAt: isoDate.nullable(),
  nextPollAt: isoDate.nullable(),
  errors: z.number().int(),
  lastError: z.string().nullable(),
  messagesHandled: z.number().int(),
  notifications: z.number().int(),
  startedAt: isoDate,
  endedAt: isoDate.nullable(),
  endReason: z.string().nullable(),
});
export type YouTubeLiveChatPoller = z.infer<typeof YouTubeLiveChatPoller>;

export const YouTubeLiveChatChannel = z.object({
  /** The chat_channels row. */
  id: z.string(),
  channelId: z.string(),
  channelLogin: z.string(),
  connectionId: z.string().nullable(),
  /** The live chat being read now; null while not live. */
  liveChatId: z.string().nullable(),
  poller: YouTubeLiveChatPoller.nullable(),
});
export type YouTubeLiveChatChannel = z.infer<typeof YouTubeLiveChatChannel>;

export const YouTubeLiveChatOverview = z.object({ quota: YouTubeQuotaUsage, channels: z.array(YouTubeLiveChatChannel) });
export type YouTubeLiveChatOverview = z.infer<typeof YouTubeLiveChatOverview>;
