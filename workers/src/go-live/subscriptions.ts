// Keeping the platforms pushing to us: Twitch EventSub stream.online/offline per broadcaster (re-created after a
// revocation for failed deliveries), YouTube WebSub leases per channel (renewed before they lapse), Kick event
// subscriptions. Each is skipped while its platform, or PUBLIC_URL (the callback's origin), is not configured;
// polling covers those streamers meanwhile.
import { AppError } from "../errors/app-error.ts";
import { KICK_LIVE_EVENTS, ensureKickEvents } from "../platforms/kick/kick-event-subscriptions.ts";
import { rememberIntent, leaseExpiry } from "../platforms/youtube/websub-leases.ts";
import { webSubSecret } from "../platforms/youtube/websub-signature.ts";
import type { GoLiveDeps } from "./go-live-deps.ts";

export const GO_LIVE_EVENTSUB_TYPES = ["stream.online", "stream.offline"] as const;
/** Renew a WebSub lease once less than this is left: leases last up to 10 days, the cron runs every 5 minutes. */
export const LEASE_RENEW_BEFORE_MS = 24 * 3600_000;

export type EnsureOutcome = "subscribed" | "unchanged" | "not_connected";

const callback = (deps: GoLiveDeps, path: string) => (deps.config.PUBLIC_URL ? `${deps.config.PUBLIC_URL.replace(/\/$/, "")}${path}` : null);

export async function ensureTwitchSubscriptions(deps: GoLiveDeps, userId: string, options: { recreate?: string } = {}): Promise<EnsureOutcome> {
  const twitch = deps.clients.twitch;
  const secret = deps.config.TWITCH_EVENTSUB_SECRET;
  const url = callback(deps, "/webhooks/twitch");
  if (!twitch || !secret || !url) return "not_connected";
  const existing = await twitch.listEventSubs({ userId });
  let created = false;
  for (const type of GO_LIVE_EVENTSUB_TYPES) {
    const mine = existing.filter((s) => s.type === type && s.condition.broadcaster_user_id === userId);
    const healthy = mine.find((s) => s.status === "enabled" || s.status === "webhook_callback_verification_pending");
    if (healthy && options.recreate !== type) continue;
    // A failed or revoked subscription still counts against the app's total until deleted.
    for (const s of mine) await twitch.deleteEventSub(s.id);
    await twitch.createEventSub({ type, condition: { broadcaster_user_id: userId }, callback: url, secret });
    created = true;
  }
  return created ? "subscribed" : "unchanged";
}

export async function ensureYouTubeWebSub(deps: GoLiveDeps, channelId: string, options: { force?: boolean } = {}): Promise<EnsureOutcome> {
  const youtube = deps.clients.youtube;
  const url = callback(deps, `/webhooks/youtube/${channelId}`);
  if (!youtube || !url) return "not_connected";
  const expiry = await leaseExpiry(deps.cache, channelId);
  if (!options.force && expiry !== null && expiry - deps.now().getTime() > LEASE_RENEW_BEFORE_MS) return "unchanged";
  // Remembered first: the hub may verify before its 202 reaches us.
  await rememberIntent(deps.cache, channelId, "subscribe");
  await youtube.webSub("subscribe", { channelId, callback: url, secret: await webSubSecret(deps.config.ENCRYPTION_KEYS, channelId) });
  return "subscribed";
}

export async function ensureKickSubscription(deps: GoLiveDeps, broadcasterUserId: string): Promise<EnsureOutcome> {
  if (!deps.config.KICK_CLIENT_ID || !/^\d+$/.test(broadcasterUserId)) return "not_connected";
  const [result] = await ensureKickEvents(deps.clients.kick, Number(broadcasterUserId), KICK_LIVE_EVENTS);
  if (result?.state === "failed") throw new AppError("UPSTREAM", `kick: livestream.status.updated not subscribed (${result.reason})`);
  return result?.existed ? "unchanged" : "subscribed";
}

/** Best effort after a streamer is added: a failure is logged, and the cron's polling covers the streamer. */
export async function ensureDetection(deps: GoLiveDeps, platform: "twitch" | "youtube" | "kick", platformUserId: string): Promise<EnsureOutcome | "failed"> {
  try {
    if (platform === "twitch") return await ensureTwitchSubscriptions(deps, platformUserId);
    if (platform === "youtube") return await ensureYouTubeWebSub(deps, platformUserId);
    return await ensureKickSubscription(deps, platformUserId);
  } catch (err) {
    deps.logger.warn("go-live subscription failed; polling covers it", { platform, err });
    return "failed";
  }
}
