// YouTube Data API v3 over fetch with an API key: videos.list (live state: snippet + liveStreamingDetails; a song
// request's length and playability: snippet + contentDetails + status), channels.list,
// playlistItems.list (a channel's recent uploads, for polling at 1 unit instead of search.list's 100); with a channel's
// OAuth token, its active broadcasts (liveBroadcasts.list) and live chat: liveChatMessages.list / insert / delete and
// liveChatBans.insert. Each call is booked against
// the daily quota first (a log line when the day crosses 80%); and WebSub subscribe / unsubscribe with a lease at the hub.
import { z } from "zod";
import type { Cache } from "../../cache/cache.ts";
import { AppError } from "../../errors/app-error.ts";
import { type Logger, createLogger } from "../../logging/logger.ts";
import { PlatformHttp } from "../platform-http.ts";
import { channelTopic } from "./atom-feed.ts";
import { type QuotaMethod, markQuotaExhausted, nextQuotaReset, spendQuota } from "./youtube-quota.ts";

/** videos.list and channels.list take at most 50 ids per call. */
export const YOUTUBE_BATCH = 50;
/** Hubs cap leases; 10 days is what YouTube's hub grants at most. */
export const WEBSUB_LEASE_SECONDS = 10 * 86_400;

const thumbnails = z.record(z.string(), z.looseObject({ url: z.string() })).optional().default({});

export const YouTubeVideo = z.looseObject({
  id: z.string(),
  snippet: z.looseObject({
    channelId: z.string(),
    channelTitle: z.string().optional().default(""),
    title: z.string(),
    /** "live" while broadcasting, "upcoming" before, "none" after (or for ordinary uploads). */
    liveBroadcastContent: z.string().optional().default("none"),
    thumbnails,
  }),
  liveStreamingDetails: z
    .looseObject({
      actualStartTime: z.string().optional(),
      actualEndTime: z.string().optional(),
      scheduledStartTime: z.string().optional(),
      concurrentViewers: z.string().optional(),
      /** Present while the broadcast is live and its chat open: what liveChatMessages.list reads. */
      activeLiveChatId: z.string().optional(),
    })
    .optional(),
});
export type YouTubeVideo = z.infer<typeof YouTubeVideo>;

/** A video as a song request needs it: videos.list with parts snippet, contentDetails and status (one quota unit). */
export const YouTubeSongVideo = z.looseObject({
  id: z.string(),
  snippet: z.looseObject({
    channelTitle: z.string().optional().default(""),
    title: z.string(),
    liveBroadcastContent: z.string().optional().default("none"),
    thumbnails,
  }),
  contentDetails: z
    .looseObject({
      /** ISO 8601 ("PT4M13S"); "P0D" for a live stream. */
      duration: z.string().optional(),
      /** ytRating "ytAgeRestricted": the embedded player refuses to play it. */
      contentRating: z.looseObject({ ytRating: z.string().optional() }).optional(),
    })
    .optional(),
  status: z
    .looseObject({
      /** False when the uploader forbids playing it on other sites (our embedded player). */
      embeddable: z.boolean().optional(),
      /** "public", "unlisted" or "private". */
      privacyStatus: z.string().optional(),
      /** "processed" once playable; "uploaded", "failed", "rejected", "deleted" otherwise. */
      uploadStatus: z.string().optional(),
    })
    .optional(),
});
export type YouTubeSongVideo = z.infer<typeof YouTubeSongVideo>;

export const YouTubeChannel = z.looseObject({
  id: z.string(),
  snippet: z.looseObject({ title: z.string(), customUrl: z.string().optional(), thumbnails }),
});
export type YouTubeChannel = z.infer<typeof YouTubeChannel>;

const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item).default([]) });

/** One liveChatMessages.list page (developers.google.com/youtube/v3/live/docs/liveChatMessages/list). */
export const LiveChatPage = z.looseObject({
  nextPageToken: z.string().optional(),
  /** How long to wait before the next list call: polling sooner is answered 403 rateLimitExceeded. */
  pollingIntervalMillis: z.number().int().nonnegative().optional(),
  /** Set once the stream went offline: no more messages will come. */
  offlineAt: z.string().optional(),
  items: z.array(z.looseObject({ id: z.string(), snippet: z.looseObject({ type: z.string() }) })).default([]),
});
export type LiveChatPage = z.infer<typeof LiveChatPage>;

const InsertedChatMessage = z.looseObject({ id: z.string() });

/** A liveBroadcast resource with parts snippet and status (developers.google.com/youtube/v3/live/docs/liveBroadcasts). */
export const LiveBroadcast = z.looseObject({
  /** The broadcast's id is its video's id. */
  id: z.string(),
  snippet: z.looseObject({
    channelId: z.string(),
    title: z.string().optional().default(""),
    /** The broadcast's live chat: what liveChatMessages.list reads. */
    liveChatId: z.string().optional(),
  }),
  /** lifeCycleStatus: created, ready, testing, liveStarting, live, complete, revoked, … */
  status: z.looseObject({ lifeCycleStatus: z.string() }),
});
export type LiveBroadcast = z.infer<typeof LiveBroadcast>;

export interface YouTubeClientOptions {
  apiBase: string;
  hubUrl: string;
  apiKey: string;
  cache: Cache;
  fetch?: typeof fetch;
  now?: () => number;
  /** Where the 80% quota warning is logged. */
  logger?: Logger;
}

/** A channel's OAuth access token (workers/src/connections tokenFor): live chat calls act as that channel. */
export interface AsChannel {
  accessToken: string;
}

interface CallOptions {
  httpMethod?: "GET" | "POST" | "DELETE";
  body?: unknown;
  /** With a user token the call is authorized by it; without, by the API key. */
  as?: AsChannel;
}

/** The reason Google gives in its error body (`error.errors[0].reason`): liveChatEnded, quotaExceeded, … */
export function youtubeReasonOf(err: unknown): string | null {
  if (!(err instanceof AppError)) return null;
  const reason = (err.details as { reason?: unknown } | null)?.reason;
  return typeof reason === "string" ? reason : null;
}

export type LiveState = { state: "live"; startedAt: string; viewers: number | null } | { state: "ended"; startedAt: string | null; endedAt: string } | { state: "upcoming" } | { state: "not_live" };

/** What a video says about being live: the only trustworthy answer to "did this WebSub ping mean go-live?". */
export function liveStateOf(video: YouTubeVideo): LiveState {
  const d = video.liveStreamingDetails;
  if (!d) return { state: "not_live" };
  if (d.actualEndTime) return { state: "ended", startedAt: d.actualStartTime ?? null, endedAt: d.actualEndTime };
  if (d.actualStartTime && video.snippet.liveBroadcastContent === "live") {
    return { state: "live", startedAt: d.actualStartTime, viewers: d.concurrentViewers ? Number(d.concurrentViewers) : null };
  }
  return video.snippet.liveBroadcastContent === "upcoming" ? { state: "upcoming" } : { state: "not_live" };
}

export class YouTubeClient {
  readonly http: PlatformHttp;

  constructor(private readonly options: YouTubeClientOptions) {
    this.http = new PlatformHttp("youtube", { fetch: options.fetch, now: options.now });
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private get logger(): Logger {
    return this.options.logger ?? createLogger({ service: "youtube" });
  }

  private async call<T extends z.ZodType>(method: QuotaMethod, path: string, params: Record<string, string>, schema: T, options: CallOptions = {}): Promise<z.output<T>> {
    const now = this.now();
    const spent = await spendQuota(this.options.cache, method, now);
    if (spent.crossedWarning) this.logger.warn("youtube: 80% of the daily API quota is used", { used: spent.total, method, resetsAt: new Date(nextQuotaReset(now)).toISOString() });
    const url = new URL(`${this.options.apiBase.replace(/\/$/, "")}${path}`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.as) headers.authorization = `Bearer ${options.as.accessToken}`;
    else url.searchParams.set("key", this.options.apiKey);
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const res = await this.http.send<{ error?: { errors?: { reason?: string }[] } }>({
      method: options.httpMethod ?? "GET",
      url: url.toString(),
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const reason = res.body?.error?.errors?.[0]?.reason;
    if (res.status === 403 && (reason === "quotaExceeded" || reason === "dailyLimitExceeded")) {
      await markQuotaExhausted(this.options.cache, now);
      throw new AppError("RATE_LIMITED", "youtube: Google reports the daily API quota exceeded; it resets at midnight Pacific time", {
        details: { platform: "youtube", quota: true, reason, resetsAt: new Date(nextQuotaReset(now)).toISOString() },
      });
    }
    if (res.status < 200 || res.status >= 300) throw this.http.upstream(`${method} answered ${res.status}${reason ? ` (${reason})` : ""}`, { status: res.status, ...(reason ? { reason } : {}) });
    return schema.parse(res.body ?? {});
  }

  async videos(ids: readonly string[]): Promise<YouTubeVideo[]> {
    const out: YouTubeVideo[] = [];
    for (let i = 0; i < ids.length; i += YOUTUBE_BATCH) {
      const batch = ids.slice(i, i + YOUTUBE_BATCH);
      out.push(...(await this.call("videos.list", "/videos", { part: "snippet,liveStreamingDetails", id: batch.join(","), maxResults: "50" }, list(YouTubeVideo))).items);
    }
    return out;
  }

  /** One video with what a song request checks (length, embeddable, live, age restriction), or null when YouTube has none. */
  async songVideo(id: string): Promise<YouTubeSongVideo | null> {
    const found = await this.call("videos.list", "/videos", { part: "snippet,contentDetails,status", id }, list(YouTubeSongVideo));
    return found.items.find((v) => v.id === id) ?? null;
  }

  /** By ids, or one channel by its @handle. */
  async channels(by: { ids?: readonly string[]; handle?: string }): Promise<YouTubeChannel[]> {
    if (by.handle) return (await this.call("channels.list", "/channels", { part: "snippet", forHandle: by.handle }, list(YouTubeChannel))).items;
    const out: YouTubeChannel[] = [];
    const ids = by.ids ?? [];
    for (let i = 0; i < ids.length; i += YOUTUBE_BATCH) {
      out.push(...(await this.call("channels.list", "/channels", { part: "snippet", id: ids.slice(i, i + YOUTUBE_BATCH).join(",") }, list(YouTubeChannel))).items);
    }
    return out;
  }

  /** The newest uploads of a channel (live broadcasts appear there too): the "UU" playlist twin of its "UC" id. */
  async recentUploads(channelId: string, max = 5): Promise<string[]> {
    const playlistId = `UU${channelId.slice(2)}`;
    const items = await this.call(
      "playlistItems.list",
      "/playlistItems",
      { part: "contentDetails", playlistId, maxResults: String(max) },
      list(z.looseObject({ contentDetails: z.looseObject({ videoId: z.string() }) })),
    );
    return items.items.map((i) => i.contentDetails.videoId);
  }

  /**
   * The token's channel's broadcasts that are on air now, for 1 unit. broadcastStatus, id and mine are exclusive filters
   * (the docs: "specify exactly one"), and broadcastStatus already means the caller's own broadcasts. broadcastType
   * defaults to "event" (scheduled events), which would leave out the persistent "Stream now" broadcast, hence "all".
   */
  async activeBroadcasts(as: AsChannel): Promise<LiveBroadcast[]> {
    const params = { part: "snippet,status", broadcastStatus: "active", broadcastType: "all", maxResults: "50" };
    return (await this.call("liveBroadcasts.list", "/liveBroadcasts", params, list(LiveBroadcast), { as })).items;
  }

  /** One page of a live chat; without a page token YouTube answers the recent history first. */
  async liveChatMessages(liveChatId: string, pageToken: string | null, as: AsChannel): Promise<LiveChatPage> {
    const params: Record<string, string> = { liveChatId, part: "snippet,authorDetails", maxResults: "2000" };
    if (pageToken) params.pageToken = pageToken;
    return this.call("liveChatMessages.list", "/liveChat/messages", params, LiveChatPage, { as });
  }

  /** Posts a text message as the token's channel; answers the new message's id. */
  async insertLiveChatMessage(liveChatId: string, text: string, as: AsChannel): Promise<string> {
    const body = { snippet: { liveChatId, type: "textMessageEvent", textMessageDetails: { messageText: text } } };
    return (await this.call("liveChatMessages.insert", "/liveChat/messages", { part: "snippet" }, InsertedChatMessage, { httpMethod: "POST", body, as })).id;
  }

  async deleteLiveChatMessage(messageId: string, as: AsChannel): Promise<void> {
    await this.call("liveChatMessages.delete", "/liveChat/messages", { id: messageId }, z.unknown(), { httpMethod: "DELETE", as });
  }

  /** A temporary ban is YouTube's timeout (liveChatBans.insert, type "temporary"). */
  async banFromLiveChat(liveChatId: string, channelId: string, seconds: number, as: AsChannel): Promise<void> {
    const body = { snippet: { liveChatId, type: "temporary", banDurationSeconds: seconds, bannedUserDetails: { channelId } } };
    await this.call("liveChatBans.insert", "/liveChat/bans", { part: "snippet" }, z.unknown(), { httpMethod: "POST", body, as });
  }

  /**
   * Asks the hub to (un)subscribe `callback` to the channel's feed. The hub answers 202 and then verifies the intent
   * with a GET to the callback (hub.challenge), which our webhook route answers.
   */
  async webSub(mode: "subscribe" | "unsubscribe", input: { channelId: string; callback: string; secret: string; leaseSeconds?: number }): Promise<void> {
    const form = new URLSearchParams({
      "hub.callback": input.callback,
      "hub.topic": channelTopic(input.channelId),
      "hub.mode": mode,
      "hub.verify": "async",
      "hub.secret": input.secret,
      "hub.lease_seconds": String(input.leaseSeconds ?? WEBSUB_LEASE_SECONDS),
    });
    const res = await this.http.send({ method: "POST", url: this.options.hubUrl, headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString() });
    if (res.status !== 202 && res.status !== 204) throw this.http.upstream(`WebSub ${mode} answered ${res.status}`, { status: res.status });
  }
}

export const youtubeVideoUrl = (videoId: string) => `https://www.youtube.com/watch?v=${videoId}`;

export function bestThumbnail(t: Record<string, { url: string }>): string | null {
  return t.maxres?.url ?? t.high?.url ?? t.medium?.url ?? t.default?.url ?? null;
}
