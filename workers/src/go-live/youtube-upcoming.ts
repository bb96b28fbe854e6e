// Scheduled YouTube broadcasts waiting to start, per channel, in the cache. WebSub pushes when a broadcast is
// scheduled (videos.list then says liveBroadcastContent "upcoming"), but a push when it actually starts is not
// guaranteed, and the cron leaves channels with a live lease to pushes: so the go-live cron re-checks these with
// videos.list (50 ids per call, 1 unit) until each is live (the notice), over, or long past its schedule.
import { z } from "zod";
import type { Cache } from "../cache/cache.ts";

/** A broadcast still "upcoming" this long after its scheduled start is abandoned (YouTube keeps them for good). */
export const UPCOMING_GIVE_UP_MS = 24 * 3600_000;

const Pending = z.array(z.object({ videoId: z.string(), scheduledAt: z.number() }));
type Pending = z.infer<typeof Pending>;

const upcomingKey = (channelId: string) => `go-live:youtube:upcoming:${channelId}`;

async function read(cache: Cache, channelId: string): Promise<Pending> {
  const raw = await cache.get(upcomingKey(channelId));
  if (raw === null) return [];
  try {
    return Pending.parse(JSON.parse(raw));
  } catch {
    return [];
  }
}

async function write(cache: Cache, channelId: string, pending: Pending, now: number): Promise<void> {
  if (pending.length === 0) {
    await cache.delete(upcomingKey(channelId));
    return;
  }
  // The key lapses with its last broadcast's give-up time: nothing to clean up for a channel no longer tracked.
  const until = Math.max(...pending.map((p) => p.scheduledAt)) + UPCOMING_GIVE_UP_MS;
  await cache.set(upcomingKey(channelId), JSON.stringify(pending), { ttlSeconds: Math.max(60, Math.ceil((until - now) / 1000)) });
}

/** Remembers a scheduled broadcast; `scheduledAt` null (no scheduledStartTime) counts from now. */
export async function rememberUpcoming(cache: Cache, channelId: string, videoId: string, scheduledAt: number | null, now: number): Promise<void> {
  const pending = (await read(cache, channelId)).filter((p) => p.videoId !== videoId);
  pending.push({ videoId, scheduledAt: scheduledAt ?? now });
  await write(cache, channelId, pending, now);
}

/** Forgets broadcasts (live, over, gone); writes only when one of them was remembered. */
export async function forgetUpcoming(cache: Cache, channelId: string, videoIds: readonly string[], now: number): Promise<void> {
  const pending = await read(cache, channelId);
  const kept = pending.filter((p) => !videoIds.includes(p.videoId));
  if (kept.length !== pending.length) await write(cache, channelId, kept, now);
}

/** The channel's broadcasts worth checking again; those past the give-up time are dropped. */
export async function upcomingOf(cache: Cache, channelId: string, now: number): Promise<string[]> {
  const pending = await read(cache, channelId);
  const kept = pending.filter((p) => now - p.scheduledAt < UPCOMING_GIVE_UP_MS);
  if (kept.length !== pending.length) await write(cache, channelId, kept, now);
  return kept.map((p) => p.videoId);
}
