// YouTube Data API v3 over fetch with an API key: videos.list (live state: snippet + liveStreamingDetails), channels.list,
// playlistItems.list (a channel's recent uploads, for polling at 1 unit instead of search.list's 100), each call
// booked against the daily quota first; and WebSub subscribe / unsubscribe with a lease at the hub.
import { z } from "zod";
import type { Cache } from "../../cache/cache.ts";
import { PlatformHttp } from "../platform-http.ts";
import { channelTopic } from "./atom-feed.ts";
import { type QuotaMethod, spendQuota } from "./youtube-quota.ts";

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
    })
    .optional(),
});
export type YouTubeVideo = z.infer<typeof YouTubeVideo>;

export const YouTubeChannel = z.looseObject({
  id: z.string(),
  snippet: z.looseObject({ title: z.string(), customUrl: z.string().optional(), thumbnails }),
});
export type YouTubeChannel = z.infer<typeof YouTubeChannel>;

const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item).default([]) });

export interface YouTubeClientOptions {
  apiBase: string;
  hubUrl: string;
  apiKey: string;
  cache: Cache;
  fetch?: typeof fetch;
  now?: () => number;
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

  private async call<T extends z.ZodType>(method: QuotaMethod, path: string, params: Record<string, string>, schema: T): Promise<z.output<T>> {
    await spendQuota(this.options.cache, method, this.now());
    const url = new URL(`${this.options.apiBase.replace(/\/$/, "")}${path}`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    url.searchParams.set("key", this.options.apiKey);
    const res = await this.http.send<{ error?: { errors?: { reason?: string }[] } }>({ url: url.toString(), headers: { accept: "application/json" } });
    const reason = res.body?.error?.errors?.[0]?.reason;
    if (res.status === 403 && (reason === "quotaExceeded" || reason === "dailyLimitExceeded")) {
      throw this.http.rateLimited(3600_000, "daily API quota exceeded");
    }
    if (res.status < 200 || res.status >= 300) throw this.http.upstream(`${method} answered ${res.status}${reason ? ` (${reason})` : ""}`, { status: res.status });
    return schema.parse(res.body);
  }

  async videos(ids: readonly string[]): Promise<YouTubeVideo[]> {
    const out: YouTubeVideo[] = [];
    for (let i = 0; i < ids.length; i += YOUTUBE_BATCH) {
      const batch = ids.slice(i, i + YOUTUBE_BATCH);
      out.push(...(await this.call("videos.list", "/videos", { part: "snippet,liveStreamingDetails", id: batch.join(","), maxResults: "50" }, list(YouTubeVideo))).items);
    }
    return out;
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
