// WebSub subscription state in the cache (never Postgres: the hub's verification GET is a hot path): the intent we
// just asked the hub for, so its GET is answered only for a (channel, mode) we asked, and the lease it granted, so
// the cron knows which channels are covered by pushes and which need polling or renewal.
import type { Cache } from "../../cache/cache.ts";

/** Hubs verify within seconds to minutes; an intent older than an hour is not ours any more. */
const INTENT_TTL_SECONDS = 3600;

const intentKey = (channelId: string) => `websub:intent:${channelId}`;
const leaseKey = (channelId: string) => `websub:lease:${channelId}`;

export async function rememberIntent(cache: Cache, channelId: string, mode: "subscribe" | "unsubscribe"): Promise<void> {
  await cache.set(intentKey(channelId), mode, { ttlSeconds: INTENT_TTL_SECONDS });
}

export async function intentOf(cache: Cache, channelId: string): Promise<string | null> {
  return cache.get(intentKey(channelId));
}

export async function recordLease(cache: Cache, channelId: string, leaseSeconds: number, now: number): Promise<void> {
  await cache.set(leaseKey(channelId), String(now + leaseSeconds * 1000), { ttlSeconds: Math.max(60, leaseSeconds) });
}

export async function dropLease(cache: Cache, channelId: string): Promise<void> {
  await cache.delete(leaseKey(channelId));
}

/** When the channel's lease ends (epoch ms), or null when it has none. */
export async function leaseExpiry(cache: Cache, channelId: string): Promise<number | null> {
  const v = await cache.get(leaseKey(channelId));
  return v === null ? null : Number(v);
}
