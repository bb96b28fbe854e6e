// The one outgoing-chat limiter, pure: given what a bot account sent recently, when may its next message to a channel
// go out? Platform rules (what they allow):
//   Twitch: 20 messages per 30 s for a regular user, 100 per 30 s in channels where the bot is moderator or
//     broadcaster; and a non-moderator may send at most one message per second in a channel.
//   Kick: no published number; we keep to Twitch's regular-user limits (20 / 30 s, 1 / s per channel).
//   YouTube: liveChatMessages.insert costs 50 quota units (the daily quota is the real limit, booked by the sender);
//     the same conservative window keeps a burst of replies from eating the day's units.
// The limiter keeps a margin under each (BUDGET_SHARE), because the platform's clock and ours differ by the
// request's latency. Drops the platform reports (Helix Send Chat Message: is_sent false + drop_reason) feed back:
// a rate-limit drop pauses sending with growing backoff and the message is retried; a duplicate (Twitch refuses the
// same text twice within 30 s) or a policy drop (AutoMod, followers-only …) is never retried.
import type { StreamPlatform } from "@nebula/schema";

export interface ChatLimit {
  windowMs: number;
  /** Messages per window the platform allows. */
  max: number;
  /** Minimum gap between two messages in one channel. */
  channelGapMs: number;
}

export const PLATFORM_CHAT_LIMITS: Record<StreamPlatform, { regular: ChatLimit; moderator: ChatLimit }> = {
  twitch: { regular: { windowMs: 30_000, max: 20, channelGapMs: 1000 }, moderator: { windowMs: 30_000, max: 100, channelGapMs: 0 } },
  kick: { regular: { windowMs: 30_000, max: 20, channelGapMs: 1000 }, moderator: { windowMs: 30_000, max: 20, channelGapMs: 1000 } },
  youtube: { regular: { windowMs: 30_000, max: 20, channelGapMs: 1000 }, moderator: { windowMs: 30_000, max: 20, channelGapMs: 1000 } },
};

/** Of what a platform allows, what we use. */
export const BUDGET_SHARE = 0.9;
const BACKOFF_FIRST_MS = 2000;
const BACKOFF_MAX_MS = 30_000;

export interface LimiterState {
  /** Epoch ms of each message sent inside the longest window, oldest first. */
  sent: number[];
  /** Channel id → epoch ms of the last message sent there. */
  lastByChannel: Record<string, number>;
  /** Nothing goes out before this (after a rate-limit drop). */
  pausedUntil: number;
  /** Rate-limit drops in a row (backoff doubles with each). */
  drops: number;
}

export const emptyLimiterState = (): LimiterState => ({ sent: [], lastByChannel: {}, pausedUntil: 0, drops: 0 });

export function budgetOf(limit: ChatLimit): number {
  return Math.max(1, Math.floor(limit.max * BUDGET_SHARE));
}

export function limitFor(platform: StreamPlatform, moderator: boolean): ChatLimit {
  return PLATFORM_CHAT_LIMITS[platform][moderator ? "moderator" : "regular"];
}

/** The earliest instant (≥ now) a message to `channelId` may be sent. */
export function nextSendAt(state: LimiterState, limit: ChatLimit, channelId: string, now: number): number {
  let at = Math.max(now, state.pausedUntil);
  const budget = budgetOf(limit);
  // The window holds fewer than `budget` sends at `at` once the send `budget` places back has left it.
  if (state.sent.length >= budget) {
    const pivot = state.sent[state.sent.length - budget] as number;
    at = Math.max(at, pivot + limit.windowMs);
  }
  const last = state.lastByChannel[channelId];
  if (last !== undefined && limit.channelGapMs > 0) at = Math.max(at, last + limit.channelGapMs);
  return at;
}

export function recordSend(state: LimiterState, channelId: string, at: number, keepMs = 30_000): LimiterState {
  const sent = [...state.sent.filter((t) => at - t < keepMs), at];
  const lastByChannel: Record<string, number> = {};
  for (const [ch, t] of Object.entries(state.lastByChannel)) if (at - t < keepMs) lastByChannel[ch] = t;
  lastByChannel[channelId] = at;
  return { sent, lastByChannel, pausedUntil: state.pausedUntil, drops: 0 };
}

export type DropVerdict = "retry" | "discard";

/** Twitch drop_reason codes that mean "too fast": wait and send again. */
const RATE_DROPS = new Set(["msg_ratelimit", "msg_rate_limit", "rate_limited", "msg_slowmode", "msg_timedout"]);

export function isRateDrop(code: string): boolean {
  return RATE_DROPS.has(code) || /rate.?limit|slowmode/i.test(code);
}

/**
 * A message the platform did not deliver. The attempt still counts against the window (the platform counted it);
 * a rate drop pauses everything with doubling backoff and asks for a retry, anything else is discarded.
 */
export function recordDrop(state: LimiterState, channelId: string, code: string, at: number): { state: LimiterState; verdict: DropVerdict } {
  const counted = recordSend(state, channelId, at);
  if (!isRateDrop(code)) return { state: { ...counted, drops: state.drops }, verdict: "discard" };
  const drops = state.drops + 1;
  const wait = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (drops - 1));
  return { state: { ...counted, pausedUntil: Math.max(state.pausedUntil, at + wait), drops }, verdict: "retry" };
}
