// The YouTube live-chat poller's state and its pure rules: when the next liveChatMessages.list may go out (never before
// YouTube's pollingIntervalMillis; longer after errors; the Pacific-midnight quota reset when the units are gone), and
// when a chat is over (offlineAt, 403 liveChatEnded / liveChatDisabled, 404 liveChatNotFound). The Durable Object in
// youtube-live-chat.ts applies them; the cache keys here are shared with the chat bot's YouTube sender. Reading is
// budgeted against the day's API quota (quotaBudgetedIntervalMs) so one long stream cannot starve everything else.
import type { api } from "@nebula/schema";
import { QUOTA_COST } from "../platforms/youtube/youtube-quota.ts";

export type PollerStatus = api.YouTubeLiveChatPollerStatus;

export interface LiveChatTarget {
  tenantId: string;
  /** The chat_channels row the bot answers in. */
  channelRowId: string;
  /** The broadcaster's YouTube channel id (UC…). */
  channelId: string;
  /** The platform connection whose OAuth token reads and writes the chat. */
  connectionId: string;
  videoId: string;
  liveChatId: string;
}

export interface LiveChatState extends LiveChatTarget {
  status: PollerStatus;
  pageToken: string | null;
  /** The first page (the chat's history) was read and skipped. */
  primed: boolean;
  /** The wait between reads: YouTube's, stretched to the day's quota budget (quotaBudgetedIntervalMs). */
  pollingIntervalMs: number | null;
  /** What YouTube's last page asked for; absent in states saved before the budget. */
  youtubeIntervalMs?: number | null;
  lastPollAt: number | null;
  nextPollAt: number | null;
  /** Failed polls in a row. */
  errors: number;
  lastError: string | null;
  messagesHandled: number;
  notifications: number;
  startedAt: number;
  endedAt: number | null;
  endReason: string | null;
  /** When the liveChatKey entry was last written (it is refreshed hourly for long broadcasts). */
  announcedAt: number;
}

/** The live chat a YouTube channel is broadcasting into, for the sender (workers/src/chat-bot/platform-chat.ts). */
export const liveChatKey = (channelId: string) => `youtube:live-chat:${channelId}`;
export const LIVE_CHAT_KEY_TTL_SECONDS = 48 * 3600;
export const ANNOUNCE_EVERY_MS = 3_600_000;

/** When YouTube names no interval; its own answers are usually a few seconds. */
export const DEFAULT_INTERVAL_MS = 5000;
/** Never faster than this, whatever a page says. */
export const MIN_INTERVAL_MS = 1000;
export const MAX_BACKOFF_MS = 5 * 60_000;
/** Failing this many polls in a row (about an hour at the longest backoff) stops the poller. */
export const MAX_ERRORS = 20;

export function newLiveChatState(target: LiveChatTarget, now: number): LiveChatState {
  return {
    ...target,
    status: "polling",
    pageToken: null,
    primed: false,
    pollingIntervalMs: null,
    lastPollAt: null,
    nextPollAt: now,
    errors: 0,
    lastError: null,
    messagesHandled: 0,
    notifications: 0,
    startedAt: now,
    endedAt: null,
    endReason: null,
    announcedAt: 0,
  };
}

export const isActive = (s: Pick<LiveChatState, "status">) => s.status === "polling" || s.status === "backoff" || s.status === "paused_quota";

/** The wait YouTube asked for, floored: its docs say to wait pollingIntervalMillis before the next request. */
export function intervalOf(pollingIntervalMillis: number | undefined): number {
  return Math.max(MIN_INTERVAL_MS, pollingIntervalMillis ?? DEFAULT_INTERVAL_MS);
}

/**
 * The share of the day's units chat reading leaves alone: go-live checks (videos.list), song requests and the bot's own
 * writes (50 units each) share the project's 10,000 a day, and liveChatMessages.list costs 5 units a read.
 */
export const QUOTA_RESERVE_SHARE = 0.2;

export interface QuotaBudget {
  /** What YouTube asked for (intervalOf of the page's pollingIntervalMillis): never read sooner. */
  youtubeIntervalMs: number;
  /** The day's units spent so far by every feature (youtube-quota.ts counts them per project). */
  used: number;
  limit: number;
  now: number;
  /** When the units come back: midnight Pacific time (nextQuotaReset). */
  resetAt: number;
  reserveShare?: number;
  costPerRead?: number;
}

/**
 * The wait before the next chat read: the units left for chat (the day's limit less the reserve, less what is spent)
 * spread evenly until the reset, never sooner than YouTube asked, never past the reset. With nothing left for chat the
 * poller waits for the reset. Several live chats at once each stretch as the shared count grows, so together they
 * still stop at the reserve.
 */
export function quotaBudgetedIntervalMs(b: QuotaBudget): number {
  const cost = b.costPerRead ?? QUOTA_COST["liveChatMessages.list"];
  const untilReset = Math.max(0, b.resetAt - b.now);
  const forChat = b.limit * (1 - (b.reserveShare ?? QUOTA_RESERVE_SHARE)) - b.used;
  const reads = Math.floor(forChat / cost);
  if (reads < 1) return Math.max(b.youtubeIntervalMs, untilReset);
  return Math.max(b.youtubeIntervalMs, Math.min(untilReset, Math.ceil(untilReset / reads)));
}

/** After the n-th failure in a row: the last interval doubled each time, capped at five minutes. */
export function backoffMs(errors: number, intervalMs: number | null): number {
  return Math.min(MAX_BACKOFF_MS, intervalOf(intervalMs ?? undefined) * 2 ** Math.max(0, errors));
}

/** Google's error reasons that mean this chat will never answer again. */
const CHAT_OVER = new Set(["liveChatEnded", "liveChatDisabled", "liveChatNotFound"]);

export function chatIsOver(status: number | null, reason: string | null): boolean {
  return (reason !== null && CHAT_OVER.has(reason)) || (status === 404 && reason === null);
}
