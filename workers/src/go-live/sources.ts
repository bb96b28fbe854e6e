// Go-live detection sources, each turned into observeLive / observeOffline for every tracked streamer of that
// account: Twitch EventSub (stream.online / stream.offline, and re-creating revoked subscriptions), YouTube WebSub
// pushes confirmed by videos.list, Kick's livestream.status.updated, and Discord "Streaming" presence of linked members.
import { type StreamPlatform, streamSessions, trackedStreamers } from "@nebula/schema";
import { and, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import type { QueueContext } from "../discord-queue/queue-kind.ts";
import { onGatewayEvent } from "../discord-gateway/gateway-events.ts";
import { onPlatformEvent } from "../platforms/platform-events.ts";
import { type TwitchVideo, twitchThumbnail } from "../platforms/twitch/twitch-client.ts";
import { type YouTubeVideo, bestThumbnail, liveStateOf, youtubeVideoUrl } from "../platforms/youtube/youtube-client.ts";
import { followYouTubeBroadcast } from "../chat-bot/youtube-live-chat-follow.ts";
import { createServices, baseLogger } from "../services/services.ts";
import { loadConfig } from "../config/config.ts";
import type { Env } from "../env.ts";
import { type GoLiveDeps, goLiveDeps } from "./go-live-deps.ts";
import { channelUrl } from "./go-live-message.ts";
import { type LiveFacts, type TrackedStreamer, observeLive, observeOffline } from "./observe.ts";
import { ensureTwitchSubscriptions } from "./subscriptions.ts";
import { forgetUpcoming, rememberUpcoming } from "./youtube-upcoming.ts";

export async function streamersOf(deps: GoLiveDeps, platform: StreamPlatform, platformUserId: string): Promise<TrackedStreamer[]> {
  return deps.db
    .select()
    .from(trackedStreamers)
    .where(and(eq(trackedStreamers.platform, platform), eq(trackedStreamers.platformUserId, platformUserId), eq(trackedStreamers.enabled, true)));
}

async function forEachStreamer(deps: GoLiveDeps, platform: StreamPlatform, platformUserId: string, work: (s: TrackedStreamer) => Promise<unknown>): Promise<void> {
  for (const streamer of await streamersOf(deps, platform, platformUserId)) await work(streamer);
}

// ---- Twitch ----

const StreamOnline = z.looseObject({ id: z.string(), broadcaster_user_id: z.string(), broadcaster_user_login: z.string(), broadcaster_user_name: z.string(), started_at: z.string() });
const StreamOffline = z.looseObject({ broadcaster_user_id: z.string() });

export async function twitchOnline(deps: GoLiveDeps, event: z.infer<typeof StreamOnline>, source: LiveFacts["source"]): Promise<void> {
  // stream.online carries no title or game: Helix has them (best effort; the notice goes out either way).
  let details = null;
  try {
    details = (await deps.clients.twitch?.getStreams([event.broadcaster_user_id]))?.find((s) => s.id === event.id) ?? null;
  } catch (err) {
    deps.logger.warn("twitch stream details unavailable", { err });
  }
  const facts: LiveFacts = {
    streamKey: event.id,
    source,
    startedAt: new Date(event.started_at),
    title: details?.title ?? "",
    game: details?.game_name ?? "",
    url: channelUrl("twitch", event.broadcaster_user_login),
    thumbnailUrl: details ? twitchThumbnail(details.thumbnail_url, deps.now().getTime()) || null : null,
    viewers: details?.viewer_count ?? null,
  };
  await forEachStreamer(deps, "twitch", event.broadcaster_user_id, (s) => observeLive(deps, s, facts));
}

export async function twitchOffline(deps: GoLiveDeps, userId: string, source: LiveFacts["source"] = "eventsub"): Promise<void> {
  const streamers = await streamersOf(deps, "twitch", userId);
  if (streamers.length === 0) return;
  // stream.offline names no stream: the open sessions do. Their archive (VOD), when the streamer keeps them, goes
  // into the edit; the edit goes out with or without it.
  const open = await deps.db
    .select({ streamKey: streamSessions.streamKey })
    .from(streamSessions)
    .where(and(inArray(streamSessions.streamerId, streamers.map((s) => s.id)), isNull(streamSessions.endedAt)));
  let vods: TwitchVideo[] = [];
  if (open.length > 0 && deps.clients.twitch) {
    try {
      vods = await deps.clients.twitch.getArchives(userId);
    } catch (err) {
      deps.logger.warn("twitch VOD lookup failed", { err });
    }
  }
  for (const streamer of streamers) {
    const [session] = await deps.db
      .select({ streamKey: streamSessions.streamKey })
      .from(streamSessions)
      .where(and(eq(streamSessions.streamerId, streamer.id), isNull(streamSessions.endedAt)));
    const vod = session ? vods.find((v) => v.stream_id === session.streamKey) : undefined;
    await observeOffline(deps, streamer, { endedAt: deps.now(), vodUrl: vod?.url ?? null, source });
  }
}

// ---- YouTube ----

export async function youtubeVideo(deps: GoLiveDeps, channelId: string, videoId: string, source: LiveFacts["source"]): Promise<void> {
  const youtube = deps.clients.youtube;
  if (!youtube) return;
  const [video] = await youtube.videos([videoId]);
  if (!video || video.snippet.channelId !== channelId) return;
  await youtubeVideoState(deps, channelId, video, source);
}

/** What one videos.list answer means for go-live: a notice, the notice's end, or a scheduled broadcast to watch. */
export async function youtubeVideoState(deps: GoLiveDeps, channelId: string, video: YouTubeVideo, source: LiveFacts["source"]): Promise<void> {
  const now = deps.now().getTime();
  const live = liveStateOf(video);
  if (live.state === "upcoming") {
    const scheduled = Date.parse(video.liveStreamingDetails?.scheduledStartTime ?? "");
    await rememberUpcoming(deps.cache, channelId, video.id, Number.isFinite(scheduled) ? scheduled : null, now);
  } else await forgetUpcoming(deps.cache, channelId, [video.id], now);
  // The same answer starts or stops the chat bot's reading of the broadcast's live chat.
  try {
    await followYouTubeBroadcast(deps, video);
  } catch (err) {
    deps.logger.warn("youtube live chat could not be followed", { err, videoId: video.id });
  }
  if (live.state === "live") {
    const facts: LiveFacts = {
      streamKey: video.id,
      source,
      startedAt: new Date(live.startedAt),
      title: video.snippet.title,
      game: "",
      url: youtubeVideoUrl(video.id),
      thumbnailUrl: bestThumbnail(video.snippet.thumbnails),
      viewers: live.viewers,
    };
    await forEachStreamer(deps, "youtube", channelId, (s) => observeLive(deps, s, facts));
  } else if (live.state === "ended") {
    // YouTube keeps the broadcast as a video at the same URL: that is the VOD.
    await forEachStreamer(deps, "youtube", channelId, (s) => observeOffline(deps, s, { streamKey: video.id, endedAt: new Date(live.endedAt), vodUrl: youtubeVideoUrl(video.id), source }));
  }
}

// ---- Kick ----

const KickLivestream = z.looseObject({
  broadcaster: z.looseObject({ user_id: z.number().int(), username: z.string().optional(), channel_slug: z.string().optional() }),
  is_live: z.boolean(),
  title: z.string().optional().default(""),
  started_at: z.string().nullable().optional(),
  ended_at: z.string().nullable().optional(),
});

/** Kick has no stream id in its events: the start instant names the session (the API's start_time is the same). */
export const kickStreamKey = (startedAt: string) => `kick:${new Date(startedAt).toISOString()}`;

export async function kickLivestream(deps: GoLiveDeps, raw: unknown, source: LiveFacts["source"]): Promise<void> {
  const e = KickLivestream.parse(raw);
  const userId = String(e.broadcaster.user_id);
  if (e.is_live && e.started_at) {
    const slug = e.broadcaster.channel_slug ?? e.broadcaster.username ?? userId;
    const facts: LiveFacts = { streamKey: kickStreamKey(e.started_at), source, startedAt: new Date(e.started_at), title: e.title, game: "", url: channelUrl("kick", slug), thumbnailUrl: null, viewers: null };
    await forEachStreamer(deps, "kick", userId, (s) => observeLive(deps, s, facts));
  } else if (!e.is_live) {
    await forEachStreamer(deps, "kick", userId, (s) =>
      observeOffline(deps, s, { ...(e.started_at ? { streamKey: kickStreamKey(e.started_at) } : {}), endedAt: e.ended_at ? new Date(e.ended_at) : deps.now(), source }),
    );
  }
}

// ---- Registration: the queue consumer calls these ----

const depsOf = (ctx: QueueContext) => goLiveDeps(ctx.env, ctx.services);

onPlatformEvent("twitch.notification", async (event, ctx) => {
  if (event.subscriptionType === "stream.online") await twitchOnline(depsOf(ctx), StreamOnline.parse(event.event), "eventsub");
  else if (event.subscriptionType === "stream.offline") await twitchOffline(depsOf(ctx), StreamOffline.parse(event.event).broadcaster_user_id);
});

onPlatformEvent("twitch.revocation", async (event, ctx) => {
  // Twitch revokes on user removal or authorization loss (no point re-creating), and on repeated delivery failures
  // (notification_failures_exceeded): re-create those for streamers still tracked.
  const userId = event.condition.broadcaster_user_id;
  if (!userId || event.status === "user_removed" || event.status === "authorization_revoked") return;
  const deps = depsOf(ctx);
  if ((await streamersOf(deps, "twitch", userId)).length === 0) return;
  await ensureTwitchSubscriptions(deps, userId, { recreate: event.subscriptionType });
});

onPlatformEvent("youtube.video", async (event, ctx) => youtubeVideo(depsOf(ctx), event.channelId, event.videoId, "websub"));

onPlatformEvent("kick.event", async (event, ctx) => {
  if (event.eventType === "livestream.status.updated") await kickLivestream(depsOf(ctx), event.event, "kick");
});

// ---- Discord presence (members who linked their stream to a tracked streamer) ----

async function withGatewayDeps(env: Env, work: (deps: GoLiveDeps) => Promise<void>): Promise<void> {
  const config = loadConfig(env);
  const scope = createServices(env, config, baseLogger(config).child({ feature: "go-live" }));
  try {
    await work(goLiveDeps(env, scope.services));
  } finally {
    await scope.dispose();
  }
}

async function membersStreamers(deps: GoLiveDeps, guildId: string, userId: string): Promise<TrackedStreamer[]> {
  return deps.db
    .select()
    .from(trackedStreamers)
    .where(and(eq(trackedStreamers.guildId, guildId), eq(trackedStreamers.discordUserId, userId), eq(trackedStreamers.enabled, true)));
}

onGatewayEvent("presence.streaming", (event, env) =>
  withGatewayDeps(env, async (deps) => {
    for (const streamer of await membersStreamers(deps, event.guildId, event.userId)) {
      if (event.platform && event.platform !== streamer.platform) continue;
      await observeLive(deps, streamer, {
        // Presence has no stream id: the event id (stable across replays) names it until a platform source says more.
        streamKey: `presence:${event.id}`,
        source: "presence",
        startedAt: deps.now(),
        title: event.title,
        game: "",
        url: /^https:\/\//.test(event.url) ? event.url : channelUrl(streamer.platform, streamer.login),
        thumbnailUrl: null,
        viewers: null,
      });
    }
  }),
);

onGatewayEvent("presence.stopped", (event, env) =>
  withGatewayDeps(env, async (deps) => {
    for (const streamer of await membersStreamers(deps, event.guildId, event.userId)) {
      await observeOffline(deps, streamer, { endedAt: deps.now(), source: "presence", onlyDerived: true });
    }
  }),
);
