// The polling fallback (cron, every 5 minutes): what webhooks miss. Twitch: GET /streams for every tracked
// broadcaster, 100 per call; YouTube: only channels without a live WebSub lease (uploads playlist + videos.list, 2
// quota units), scheduled broadcasts until they start (videos.list, 50 per unit), and leases close to lapsing are
// renewed; Kick: GET /channels, 50 per call. Live ones feed observeLive; open sessions whose stream is gone feed
// observeOffline. The same funnel as webhooks, so nothing doubles.
import { streamSessions, trackedStreamers } from "@nebula/schema";
import { and, eq, isNull } from "drizzle-orm";
import { twitchThumbnail } from "../platforms/twitch/twitch-client.ts";
import { leaseExpiry } from "../platforms/youtube/websub-leases.ts";
import { liveStateOf } from "../platforms/youtube/youtube-client.ts";
import { loadConfig } from "../config/config.ts";
import type { Env } from "../env.ts";
import type { Logger } from "../logging/logger.ts";
import { createServices } from "../services/services.ts";
import { type GoLiveDeps, goLiveDeps } from "./go-live-deps.ts";
import { channelUrl } from "./go-live-message.ts";
import { type TrackedStreamer, isDerivedKey, observeLive, observeOffline } from "./observe.ts";
import { kickStreamKey, twitchOffline, youtubeVideo, youtubeVideoState } from "./sources.ts";
import { LEASE_RENEW_BEFORE_MS, ensureYouTubeWebSub } from "./subscriptions.ts";
import { forgetUpcoming, upcomingOf } from "./youtube-upcoming.ts";

export interface PollReport {
  twitch: { polled: number; live: number; calls: number } | null;
  youtube: { polled: number; renewed: number; upcoming: number } | null;
  kick: { polled: number; live: number } | null;
  failures: string[];
}

function byAccount(streamers: TrackedStreamer[]): Map<string, TrackedStreamer[]> {
  const map = new Map<string, TrackedStreamer[]>();
  for (const s of streamers) map.set(s.platformUserId, [...(map.get(s.platformUserId) ?? []), s]);
  return map;
}

/** Accounts with an open session from a platform source (presence-only sessions are presence's to close). */
async function openAccounts(deps: GoLiveDeps, platform: TrackedStreamer["platform"]): Promise<Set<string>> {
  const rows = await deps.db
    .select({ account: trackedStreamers.platformUserId, key: streamSessions.streamKey })
    .from(streamSessions)
    .innerJoin(trackedStreamers, eq(trackedStreamers.id, streamSessions.streamerId))
    .where(and(eq(streamSessions.platform, platform), isNull(streamSessions.endedAt)));
  return new Set(rows.filter((r) => !isDerivedKey(r.key)).map((r) => r.account));
}

export async function pollGoLive(deps: GoLiveDeps): Promise<PollReport> {
  const all = await deps.db.select().from(trackedStreamers).where(eq(trackedStreamers.enabled, true));
  const report: PollReport = { twitch: null, youtube: null, kick: null, failures: [] };
  const guard = async (platform: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (err) {
      report.failures.push(`${platform}: ${err instanceof Error ? err.message : String(err)}`);
      deps.logger.warn("go-live poll failed", { platform, err });
    }
  };

  await guard("twitch", async () => {
    const twitch = deps.clients.twitch;
    const accounts = byAccount(all.filter((s) => s.platform === "twitch"));
    if (!twitch || accounts.size === 0) return;
    const ids = [...accounts.keys()];
    const streams = await twitch.getStreams(ids);
    report.twitch = { polled: ids.length, live: streams.length, calls: Math.ceil(ids.length / 100) };
    const now = deps.now().getTime();
    for (const stream of streams) {
      if (stream.type !== "live") continue;
      for (const streamer of accounts.get(stream.user_id) ?? []) {
        await observeLive(deps, streamer, {
          streamKey: stream.id,
          source: "poll",
          startedAt: new Date(stream.started_at),
          title: stream.title,
          game: stream.game_name,
          url: channelUrl("twitch", stream.user_login),
          thumbnailUrl: twitchThumbnail(stream.thumbnail_url, now) || null,
          viewers: stream.viewer_count,
        });
      }
    }
    const liveIds = new Set(streams.map((s) => s.user_id));
    for (const account of await openAccounts(deps, "twitch")) if (!liveIds.has(account)) await twitchOffline(deps, account, "poll");
  });

  await guard("youtube", async () => {
    const youtube = deps.clients.youtube;
    const accounts = byAccount(all.filter((s) => s.platform === "youtube"));
    if (!youtube || accounts.size === 0) return;
    let polled = 0;
    let renewed = 0;
    const now = deps.now().getTime();
    const open = await openAccounts(deps, "youtube");
    /** Scheduled broadcasts to ask about again, by video id (youtube-upcoming.ts). */
    const upcoming = new Map<string, string>();
    for (const channelId of accounts.keys()) {
      const expiry = await leaseExpiry(deps.cache, channelId);
      if (expiry === null || expiry - now < LEASE_RENEW_BEFORE_MS) {
        if ((await ensureYouTubeWebSub(deps, channelId, { force: true })) === "subscribed") renewed += 1;
      }
      const pending = await upcomingOf(deps.cache, channelId, now);
      // A live lease means pushes arrive; an open session still gets checked, since the end is not always pushed.
      if (expiry !== null && expiry > now && !open.has(channelId)) {
        for (const videoId of pending) upcoming.set(videoId, channelId);
        continue;
      }
      polled += 1;
      const videos = (await youtube.recentUploads(channelId)).slice(0, 3);
      for (const videoId of videos) await youtubeVideo(deps, channelId, videoId, "poll");
      for (const videoId of pending) if (!videos.includes(videoId)) upcoming.set(videoId, channelId);
    }
    // Their start is not always pushed: one videos.list per 50, and only a change of state does any more work.
    const asked = upcoming.size;
    const answers = asked > 0 ? await youtube.videos([...upcoming.keys()]) : [];
    for (const video of answers) {
      const channelId = upcoming.get(video.id);
      if (!channelId || video.snippet.channelId !== channelId) continue;
      upcoming.delete(video.id);
      if (liveStateOf(video).state !== "upcoming") await youtubeVideoState(deps, channelId, video, "poll");
    }
    // Not listed any more (deleted, made private) or not the channel's: nothing to wait for.
    for (const [videoId, channelId] of upcoming) await forgetUpcoming(deps.cache, channelId, [videoId], now);
    report.youtube = { polled, renewed, upcoming: asked };
  });

  await guard("kick", async () => {
    const accounts = byAccount(all.filter((s) => s.platform === "kick" && /^\d+$/.test(s.platformUserId)));
    if (!deps.config.KICK_CLIENT_ID || accounts.size === 0) return;
    const channels = await deps.clients.kick.channels({ broadcasterUserIds: [...accounts.keys()].map(Number) });
    const live = channels.filter((c) => c.stream?.is_live && c.stream.start_time);
    report.kick = { polled: accounts.size, live: live.length };
    for (const channel of live) {
      const startedAt = channel.stream?.start_time ?? "";
      for (const streamer of accounts.get(String(channel.broadcaster_user_id)) ?? []) {
        await observeLive(deps, streamer, {
          streamKey: kickStreamKey(startedAt),
          source: "poll",
          startedAt: new Date(startedAt),
          title: channel.stream_title,
          game: channel.category?.name ?? "",
          url: channelUrl("kick", channel.slug),
          thumbnailUrl: channel.stream?.thumbnail || null,
          viewers: channel.stream?.viewer_count ?? null,
        });
      }
    }
    const liveIds = new Set(live.map((c) => String(c.broadcaster_user_id)));
    for (const account of await openAccounts(deps, "kick")) {
      if (liveIds.has(account)) continue;
      for (const streamer of accounts.get(account) ?? []) await observeOffline(deps, streamer, { endedAt: deps.now(), source: "poll" });
    }
  });

  return report;
}

/** The cron job's body: builds its own services (a cron invocation has no request) and logs what it saw. */
export async function runGoLivePoll(env: Env, logger: Logger): Promise<PollReport> {
  const config = loadConfig(env);
  const scope = createServices(env, config, logger);
  try {
    const report = await pollGoLive(goLiveDeps(env, scope.services));
    logger.info("go-live poll", { ...report });
    if (report.failures.length > 0) throw new Error(`go-live poll: ${report.failures.join("; ")}`);
    return report;
  } finally {
    await scope.dispose();
  }
}
