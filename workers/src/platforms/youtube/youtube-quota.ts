// YouTube Data API quota: 10,000 units a day per project by default, reset at midnight Pacific time. Each call's
// cost is counted in the cache under the day's key, so every isolate sees one total, the dashboard can show it and
// warn at 80%, and calls stop with RATE_LIMITED before Google starts answering 403 quotaExceeded.
import type { Cache } from "../../cache/cache.ts";
import { AppError } from "../../errors/app-error.ts";

export const YOUTUBE_DAILY_QUOTA = 10_000;
export const QUOTA_WARN_SHARE = 0.8;

/**
 * Units per call (YouTube Data API quota calculator, developers.google.com/youtube/v3/determine_quota_cost): list
 * calls cost 1 (liveBroadcasts.list too), search.list 100, liveChatMessages.list 5; writes (liveChatMessages.insert /
 * delete, liveChatBans.insert) 50 each.
 */
export const QUOTA_COST = {
  "videos.list": 1,
  "channels.list": 1,
  "playlistItems.list": 1,
  "liveBroadcasts.list": 1,
  "search.list": 100,
  "liveChatMessages.list": 5,
  "liveChatMessages.insert": 50,
  "liveChatMessages.delete": 50,
  "liveChatBans.insert": 50,
} as const;
export type QuotaMethod = keyof typeof QUOTA_COST;

const HOUR_MS = 3_600_000;
const laClock = new Intl.DateTimeFormat("en-CA", { timeZone: "America/Los_Angeles", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });

/** The quota day, as Google counts it (America/Los_Angeles). */
export function quotaDay(now: number): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "America/Los_Angeles", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(now));
}

function laTimeOfDayMs(at: number): number {
  const parts = Object.fromEntries(laClock.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return (Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second)) * 1000 + (at % 1000);
}

/** The next midnight in Pacific time (when Google resets the quota), as epoch ms; DST days are 23 or 25 hours long. */
export function nextQuotaReset(now: number): number {
  let reset = now - laTimeOfDayMs(now) + 24 * HOUR_MS;
  const hour = Math.floor(laTimeOfDayMs(reset) / HOUR_MS);
  // Autumn's 25-hour day lands at 23:00 the same day, spring's 23-hour day at 01:00 the next.
  if (hour === 23) reset += HOUR_MS;
  else if (hour === 1) reset -= HOUR_MS;
  return reset;
}

const keyOf = (now: number) => `youtube:quota:${quotaDay(now)}`;
/** Two days: the key outlives its day wherever the cache's clock is. */
const KEY_TTL_SECONDS = 2 * 86_400;

export interface QuotaUsage {
  day: string;
  used: number;
  limit: number;
  /** True from 80% of the day's units. */
  warn: boolean;
  exhausted: boolean;
  /** When the units come back (midnight Pacific time), ISO 8601. */
  resetsAt: string;
}

export async function quotaUsage(cache: Cache, now: number, limit = YOUTUBE_DAILY_QUOTA): Promise<QuotaUsage> {
  const used = Number((await cache.get(keyOf(now))) ?? 0);
  return { day: quotaDay(now), used, limit, warn: used >= limit * QUOTA_WARN_SHARE, exhausted: used >= limit, resetsAt: new Date(nextQuotaReset(now)).toISOString() };
}

export interface QuotaSpent {
  /** The day's units after this call. */
  total: number;
  /** This call took the day across 80%: the one moment to log a warning. */
  crossedWarning: boolean;
}

/** Books a call's units before it is made; refuses when the day's units would run out. */
export async function spendQuota(cache: Cache, method: QuotaMethod, now: number, limit = YOUTUBE_DAILY_QUOTA): Promise<QuotaSpent> {
  const cost = QUOTA_COST[method];
  const total = await cache.incr(keyOf(now), KEY_TTL_SECONDS, cost);
  if (total > limit) {
    throw new AppError("RATE_LIMITED", `youtube: daily API quota used up (${limit} units); it resets at midnight Pacific time`, {
      details: { platform: "youtube", quota: true, used: total, limit, resetsAt: new Date(nextQuotaReset(now)).toISOString() },
    });
  }
  const warnAt = limit * QUOTA_WARN_SHARE;
  return { total, crossedWarning: total - cost < warnAt && total >= warnAt };
}

/**
 * Google answered 403 quotaExceeded: its count is the truth (other tools may share the project), so the day's counter
 * jumps to the limit and every caller stops until the reset instead of spending calls on more refusals.
 */
export async function markQuotaExhausted(cache: Cache, now: number, limit = YOUTUBE_DAILY_QUOTA): Promise<void> {
  const used = Number((await cache.get(keyOf(now))) ?? 0);
  if (used < limit) await cache.set(keyOf(now), String(limit), { ttlSeconds: KEY_TTL_SECONDS });
}

/** The error our tracker or Google raised because the day's units are gone (not a short-term rate limit). */
export function isQuotaExhausted(err: unknown): boolean {
  return err instanceof AppError && err.code === "RATE_LIMITED" && (err.details as { quota?: unknown } | null)?.quota === true;
}
