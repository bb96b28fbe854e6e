// YouTube Data API quota: 10,000 units a day per project by default, reset at midnight Pacific time. Each call's
// cost is counted in the cache under the day's key, so every isolate sees one total, the dashboard can show it and
// warn at 80%, and calls stop with RATE_LIMITED before Google starts answering 403 quotaExceeded.
import type { Cache } from "../../cache/cache.ts";
import { AppError } from "../../errors/app-error.ts";

export const YOUTUBE_DAILY_QUOTA = 10_000;
export const QUOTA_WARN_SHARE = 0.8;

/** Units per call (YouTube Data API quota calculator): list calls cost 1, search.list 100, liveChatMessages.list 5. */
export const QUOTA_COST = {
  "videos.list": 1,
  "channels.list": 1,
  "playlistItems.list": 1,
  "search.list": 100,
  "liveChatMessages.list": 5,
} as const;
export type QuotaMethod = keyof typeof QUOTA_COST;

/** The quota day, as Google counts it (America/Los_Angeles). */
export function quotaDay(now: number): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "America/Los_Angeles", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(now));
}

const keyOf = (now: number) => `youtube:quota:${quotaDay(now)}`;

export interface QuotaUsage {
  day: string;
  used: number;
  limit: number;
  /** True from 80% of the day's units. */
  warn: boolean;
  exhausted: boolean;
}

export async function quotaUsage(cache: Cache, now: number, limit = YOUTUBE_DAILY_QUOTA): Promise<QuotaUsage> {
  const used = Number((await cache.get(keyOf(now))) ?? 0);
  return { day: quotaDay(now), used, limit, warn: used >= limit * QUOTA_WARN_SHARE, exhausted: used >= limit };
}

/** Books a call's units before it is made; refuses when the day's units would run out. */
export async function spendQuota(cache: Cache, method: QuotaMethod, now: number, limit = YOUTUBE_DAILY_QUOTA): Promise<number> {
  const cost = QUOTA_COST[method];
  // Two days: the key outlives its day wherever the cache's clock is.
  const used = await cache.incr(keyOf(now), 2 * 86_400);
  // incr adds one; the rest of a costlier call is added on top.
  let total = used;
  for (let i = 1; i < cost; i++) total = await cache.incr(keyOf(now), 2 * 86_400);
  if (total > limit) {
    throw new AppError("RATE_LIMITED", `youtube: daily API quota used up (${limit} units); it resets at midnight Pacific time`, { details: { platform: "youtube", used: total, limit } });
  }
  return total;
}
