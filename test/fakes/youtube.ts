// A fake YouTube for tests: Data API v3 (/youtube/v3/videos, /channels, /playlistItems; an API key required, Google's
// error shape) and a WebSub hub (/websub/subscribe) that records each subscription's callback and hub.secret, hands
// tests the verification GET to replay against the Worker, and signs Atom pushes with that secret (X-Hub-Signature).
// YOUTUBE_API_BASE = <origin>/youtube/v3, YOUTUBE_WEBSUB_HUB = <origin>/websub/subscribe.
//   POST /__control/youtube/videos   [{id, channelId, title, live: "live"|"ended"|"none", startedAt?, endedAt?, viewers?}]
//   GET  /__control/youtube/verify?channelId=   → {url}: the hub's verification GET for the last request of that channel
//   POST /__control/youtube/push     {channelId, videoId, secret?, tamper?} → {headers, body}: a signed Atom push
//   GET  /__control/youtube/state    hub requests, API calls by method
// Google OAuth (stream bot connections, test/fakes/platform-oauth.ts): /o/oauth2/v2/auth (GOOGLE_AUTH_BASE =
// <origin>/o/oauth2/v2), /token and /revoke (GOOGLE_TOKEN_BASE = <origin>); channels.list?mine=true with a user token.
import { createHmac, randomBytes } from "node:crypto";
import { installFakeOAuth } from "./platform-oauth.ts";
import { bodyOf, reply, startPlatformServer } from "./platform-server.ts";

export const TEST_YOUTUBE_API_KEY = "fake-youtube-api-key-0001";
export const TEST_GOOGLE_CLIENT_ID = "fake-google-client.apps.googleusercontent.com";
export const TEST_GOOGLE_CLIENT_SECRET = "fake-google-client-secret";

interface Video {
  id: string;
  channelId: string;
  title: string;
  live: "live" | "ended" | "none" | "upcoming";
  startedAt?: string;
  endedAt?: string;
  viewers?: number;
}

export interface FakeYouTube {
  origin: string;
  apiBase: string;
  hubUrl: string;
  close(): Promise<void>;
}

export function atomFor(channelId: string, videoId: string, title: string, updated: string): string {
  return `<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns="http://www.w3.org/2005/Atom">
  <link rel="hub" href="https://pubsubhubbub.appspot.com"/>
  <link rel="self" href="https://www.youtube.com/xml/feeds/videos.xml?channel_id=${channelId}"/>
  <title>YouTube video feed</title>
  <updated>${updated}</updated>
  <entry>
    <id>yt:video:${videoId}</id>
    <yt:videoId>${videoId}</yt:videoId>
    <yt:channelId>${channelId}</yt:channelId>
    <title>${title}</title>
    <link rel="alternate" href="https://www.youtube.com/watch?v=${videoId}"/>
    <author><name>Channel</name><uri>https://www.youtube.com/channel/${channelId}</uri></author>
    <published>${updated}</published>
    <updated>${updated}</updated>
  </entry>
</feed>`;
}

export async function startFakeYouTube(): Promise<FakeYouTube> {
  const server = await startPlatformServer("youtube");
  const videos = new Map<string, Video>();
  const hubRequests: { mode: string; callback: string; topic: string; secret: string; lease: number; challenge: string }[] = [];
  const calls: Record<string, number> = {};
  const oauth = installFakeOAuth(server, {
    platform: "youtube",
    clientId: TEST_GOOGLE_CLIENT_ID,
    clientSecret: TEST_GOOGLE_CLIENT_SECRET,
    paths: { authorize: "/o/oauth2/v2/auth", token: "/token", revoke: "/revoke" },
    requirePkce: false,
    expiresIn: 3_599,
  });

  const keyed = (req: { query: URLSearchParams }, method: string, work: () => ReturnType<typeof reply>) => {
    if (req.query.get("key") !== TEST_YOUTUBE_API_KEY) {
      return reply(400, { error: { code: 400, message: "API key not valid. Please pass a valid API key.", errors: [{ reason: "badRequest", domain: "global" }] } });
    }
    calls[method] = (calls[method] ?? 0) + 1;
    return work();
  };
  const videoResource = (v: Video) => ({
    kind: "youtube#video",
    id: v.id,
    snippet: { channelId: v.channelId, channelTitle: "Channel", title: v.title, liveBroadcastContent: v.live === "ended" ? "none" : v.live, thumbnails: { high: { url: `https://i.ytimg.com/vi/${v.id}/hqdefault_live.jpg` } } },
    ...(v.live === "none"
      ? {}
      : { liveStreamingDetails: { actualStartTime: v.startedAt, ...(v.endedAt ? { actualEndTime: v.endedAt } : {}), ...(v.viewers !== undefined ? { concurrentViewers: String(v.viewers) } : {}) } }),
  });

  server.route("GET", "/youtube/v3/videos", (req) =>
    keyed(req, "videos.list", () => {
      const ids = (req.query.get("id") ?? "").split(",").filter(Boolean);
      if (ids.length > 50) return reply(400, { error: { code: 400, message: "too many ids", errors: [{ reason: "badRequest" }] } });
      return reply(200, { kind: "youtube#videoListResponse", items: ids.flatMap((id) => (videos.has(id) ? [videoResource(videos.get(id) as Video)] : [])) });
    }),
  );
  server.route("GET", "/youtube/v3/channels", (req) =>
    req.query.get("mine") === "true"
      ? mineChannel(req.headers.authorization)
      : keyed(req, "channels.list", () => {
      const ids = (req.query.get("id") ?? "").split(",").filter(Boolean);
      const handle = req.query.get("forHandle");
      const known = new Set([...videos.values()].map((v) => v.channelId));
      const items = handle ? [] : ids.filter((id) => known.has(id) || /^UC/.test(id)).map((id) => ({ id, snippet: { title: `Channel ${id.slice(2, 6)}`, customUrl: `@${id.slice(2, 8).toLowerCase()}`, thumbnails: {} } }));
      return reply(200, { kind: "youtube#channelListResponse", items });
    }),
  );
  /** channels.list?mine=true: the channel of the OAuth token's Google account. */
  function mineChannel(authorization: string | string[] | undefined) {
    const me = oauth.accountOf(authorization);
    if (!me) return reply(401, { error: { code: 401, message: "Request had invalid authentication credentials.", errors: [{ reason: "authError", domain: "global" }] } });
    calls["channels.list"] = (calls["channels.list"] ?? 0) + 1;
    return reply(200, { kind: "youtube#channelListResponse", items: [{ kind: "youtube#channel", id: me.id, snippet: { title: me.displayName, customUrl: `@${me.login}`, thumbnails: { default: { url: me.avatarUrl, width: 88, height: 88 } } } }] });
  }
  server.route("GET", "/youtube/v3/playlistItems", (req) =>
    keyed(req, "playlistItems.list", () => {
      const channelId = `UC${(req.query.get("playlistId") ?? "").slice(2)}`;
      const items = [...videos.values()].filter((v) => v.channelId === channelId).reverse().map((v) => ({ contentDetails: { videoId: v.id } }));
      return reply(200, { kind: "youtube#playlistItemListResponse", items });
    }),
  );
  // W3C WebSub §5.1: the hub accepts the request with 202 and verifies the intent asynchronously.
  server.route("POST", "/websub/subscribe", (req) => {
    const form = new URLSearchParams(req.rawBody);
    const callback = form.get("hub.callback") ?? "";
    const topic = form.get("hub.topic") ?? "";
    const mode = form.get("hub.mode") ?? "";
    if (!callback || !topic || (mode !== "subscribe" && mode !== "unsubscribe")) return { status: 400, body: "Invalid request" };
    hubRequests.push({ mode, callback, topic, secret: form.get("hub.secret") ?? "", lease: Number(form.get("hub.lease_seconds") ?? "432000"), challenge: randomBytes(12).toString("hex") });
    return { status: 202 };
  });

  server.route("POST", "/__control/youtube/videos", (req) => {
    for (const v of bodyOf<Video[]>(req)) videos.set(v.id, v);
    return reply(200, { ok: true });
  });
  server.route("GET", "/__control/youtube/verify", (req) => {
    const channelId = req.query.get("channelId") ?? "";
    const r = [...hubRequests].reverse().find((h) => h.topic.endsWith(channelId));
    if (!r) return reply(404, { error: "no hub request for that channel" });
    const url = new URL(r.callback);
    url.searchParams.set("hub.mode", r.mode);
    url.searchParams.set("hub.topic", r.topic);
    url.searchParams.set("hub.challenge", r.challenge);
    url.searchParams.set("hub.lease_seconds", String(r.lease));
    return reply(200, { url: url.toString(), challenge: r.challenge });
  });
  server.route("POST", "/__control/youtube/push", (req) => {
    const b = bodyOf<{ channelId: string; videoId: string; secret?: string; tamper?: boolean; updated?: string }>(req);
    const r = [...hubRequests].reverse().find((h) => h.topic.endsWith(b.channelId) && h.mode === "subscribe");
    const secret = b.secret ?? r?.secret ?? "";
    const body = atomFor(b.channelId, b.videoId, videos.get(b.videoId)?.title ?? "Video", b.updated ?? new Date().toISOString());
    const signature = `sha1=${createHmac("sha1", secret).update(body).digest("hex")}`;
    return reply(200, { headers: { "content-type": "application/atom+xml", "x-hub-signature": signature }, body: b.tamper ? body.replace("<title>", "<title>Tampered ") : body });
  });
  server.route("GET", "/__control/youtube/state", () => reply(200, { hubRequests: hubRequests.map(({ secret: _s, ...h }) => h), calls }));

  return { origin: server.origin, apiBase: `${server.origin}/youtube/v3`, hubUrl: `${server.origin}/websub/subscribe`, close: server.close };
}
