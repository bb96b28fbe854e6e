// A fake YouTube for tests: Data API v3 (/youtube/v3/videos, /channels, /playlistItems; an API key required, Google's
// error shape) and a WebSub hub (/websub/subscribe) that records each subscription's callback and hub.secret, hands
// tests the verification GET to replay against the Worker, and signs Atom pushes with that secret (X-Hub-Signature).
// Live chat (developers.google.com/youtube/v3/live/docs/liveChatMessages): /youtube/v3/liveChat/messages list (API key
// or OAuth; opaque page tokens, pollingIntervalMillis, offlineAt; 403 liveChatEnded, 404 liveChatNotFound, 403
// quotaExceeded when told), insert and delete, and /liveChat/bans (OAuth only: 401 without a live token).
// Broadcasts (developers.google.com/youtube/v3/live/docs/liveBroadcasts/list): /youtube/v3/liveBroadcasts lists the
// token's channel's live videos as liveBroadcast resources (OAuth only; exactly one of broadcastStatus / id / mine,
// else 400 incompatibleParameters; broadcastType defaults to "event", so a persistent "Stream now" broadcast needs
// broadcastType=all). A video that ends takes its live chat offline (offlineAt), as YouTube does.
// YOUTUBE_API_BASE = <origin>/youtube/v3, YOUTUBE_WEBSUB_HUB = <origin>/websub/subscribe.
//   POST /__control/youtube/videos   [{id, channelId, title, live: "live"|"ended"|"none"|"upcoming", startedAt?, endedAt?, scheduledAt?, viewers?,
//                                      liveChatId?, broadcastType?, channelTitle?, duration? (ISO 8601), embeddable?, ageRestricted?, privacyStatus?}]
// videos.list answers the parts asked for (snippet, contentDetails, status, liveStreamingDetails), as YouTube does.
//   GET  /__control/youtube/verify?channelId=   → {url}: the hub's verification GET for the last request of that channel
//   POST /__control/youtube/push     {channelId, videoId, secret?, tamper?} → {headers, body}: a signed Atom push
//   GET  /__control/youtube/state    hub requests, API calls by method, liveBroadcasts.list calls (channel, filters),
//                                    videos.list lookups per video id
//   POST /__control/youtube/live-chats              {liveChatId, ownerChannelId, pollingIntervalMillis?}: a chat opens
//   POST /__control/youtube/live-chats/:id/messages [{type, author, text?, details?}] → {ids}: viewers write
//   POST /__control/youtube/live-chats/:id/set      {pollingIntervalMillis?, offlineAt?, ended?, quotaExceeded?, failNext?}
//   GET  /__control/youtube/live-chats/:id          list calls (page token, auth), inserts, deletions, bans
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
  /** liveStreamingDetails.scheduledStartTime of a scheduled broadcast (kept after it starts, as YouTube does). */
  scheduledAt?: string;
  viewers?: number;
  /** liveStreamingDetails.activeLiveChatId while live. */
  liveChatId?: string;
  /** "persistent" (the default here): what YouTube Studio's "Stream now" broadcasts are; "event": a scheduled one. */
  broadcastType?: "event" | "persistent";
  /** snippet.channelTitle; "Channel" when not given. */
  channelTitle?: string;
  /** contentDetails.duration (ISO 8601); "P0D" for a live or upcoming video, "PT3M33S" otherwise when not given. */
  duration?: string;
  /** status.embeddable; true when not given. */
  embeddable?: boolean;
  /** contentDetails.contentRating.ytRating "ytAgeRestricted". */
  ageRestricted?: boolean;
  /** status.privacyStatus; "public" when not given. */
  privacyStatus?: "public" | "unlisted" | "private";
}

/** One liveBroadcasts.list call as the fake saw it. */
export interface FakeBroadcastList {
  channelId: string;
  broadcastStatus: string | null;
  broadcastType: string | null;
}

export interface FakeChatAuthor {
  channelId: string;
  displayName: string;
  isChatOwner?: boolean;
  isChatModerator?: boolean;
  isChatSponsor?: boolean;
  isVerified?: boolean;
}

/** What a test has a viewer do: a text line, or a super chat / membership event with its details object. */
export interface FakeChatEvent {
  type: "textMessageEvent" | "superChatEvent" | "superStickerEvent" | "newSponsorEvent" | "memberMilestoneChatEvent" | "membershipGiftingEvent";
  author: FakeChatAuthor;
  text?: string;
  /** The type's details as YouTube names them (superChatDetails, newSponsorDetails, …), given without the key. */
  details?: Record<string, unknown>;
}

interface LiveChat {
  id: string;
  ownerChannelId: string;
  pollingIntervalMillis: number;
  messages: Record<string, unknown>[];
  offlineAt: string | null;
  ended: boolean;
  quotaExceeded: boolean;
  /** The next list call answers this status (backendError), once. */
  failNext: number | null;
  listCalls: { pageToken: string | null; auth: "oauth" | "key"; at: number }[];
  inserts: { id: string; text: string; authorChannelId: string }[];
  deletions: string[];
  bans: { bannedChannelId: string; type: string; banDurationSeconds: number | null }[];
}

export interface FakeLiveChatState {
  listCalls: LiveChat["listCalls"];
  inserts: LiveChat["inserts"];
  deletions: string[];
  bans: LiveChat["bans"];
  messages: number;
}

const DETAILS_KEY: Record<FakeChatEvent["type"], string> = {
  textMessageEvent: "textMessageDetails",
  superChatEvent: "superChatDetails",
  superStickerEvent: "superStickerDetails",
  newSponsorEvent: "newSponsorDetails",
  memberMilestoneChatEvent: "memberMilestoneChatDetails",
  membershipGiftingEvent: "membershipGiftingDetails",
};

const googleError = (status: number, reason: string, message: string, domain = "youtube.liveChat") => reply(status, { error: { code: status, message, errors: [{ message, domain, reason }] } });

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
  /** videos.list lookups per video id (tests use fresh ids, so each sees only its own). */
  const videoLookups: Record<string, number> = {};
  const oauth = installFakeOAuth(server, {
    platform: "youtube",
    clientId: TEST_GOOGLE_CLIENT_ID,
    clientSecret: TEST_GOOGLE_CLIENT_SECRET,
    paths: { authorize: "/o/oauth2/v2/auth", token: "/token", revoke: "/revoke" },
    // Google's token endpoint takes the app's credentials either way (client_secret_basic, client_secret_post).
    clientAuth: "either",
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
  // ---- live chat ----
  const chats = new Map<string, LiveChat>();
  let serial = 0;
  const pageToken = (chat: LiveChat, at: number) => Buffer.from(`${chat.id}|${at}`).toString("base64url");
  const positionOf = (chat: LiveChat, token: string): number | null => {
    const [id, at] = Buffer.from(token, "base64url").toString("utf8").split("|");
    return id === chat.id && /^\d+$/.test(at ?? "") ? Number(at) : null;
  };
  const chatMessage = (chat: LiveChat, event: FakeChatEvent) => {
    const id = `LCC.${chat.id.slice(0, 8)}.${(++serial).toString(36).padStart(6, "0")}`;
    const a = event.author;
    const details = event.type === "textMessageEvent" ? { messageText: event.text ?? "" } : (event.details ?? {});
    const display = event.type === "textMessageEvent" ? (event.text ?? "") : String(details.userComment ?? details.altText ?? `${a.displayName}: ${event.type}`);
    return {
      kind: "youtube#liveChatMessage",
      etag: randomBytes(8).toString("hex"),
      id,
      snippet: { type: event.type, liveChatId: chat.id, authorChannelId: a.channelId, publishedAt: new Date().toISOString(), hasDisplayContent: true, displayMessage: display, [DETAILS_KEY[event.type]]: details },
      authorDetails: {
        channelId: a.channelId,
        channelUrl: `http://www.youtube.com/channel/${a.channelId}`,
        displayName: a.displayName,
        profileImageUrl: `https://yt3.ggpht.com/fake-${a.channelId}=s88-c-k-nd`,
        isVerified: a.isVerified ?? false,
        isChatOwner: a.isChatOwner ?? a.channelId === chat.ownerChannelId,
        isChatSponsor: a.isChatSponsor ?? false,
        isChatModerator: a.isChatModerator ?? false,
      },
    };
  };
  /** liveChatMessages.list takes an API key or an OAuth token; the writes need the channel's token. */
  const chatCaller = (req: { query: URLSearchParams; headers: { authorization?: string | string[] } }, keyAllowed: boolean) => {
    const account = oauth.accountOf(req.headers.authorization);
    if (account) return { auth: "oauth" as const, channelId: account.id, name: account.displayName };
    if (keyAllowed && req.query.get("key") === TEST_YOUTUBE_API_KEY) return { auth: "key" as const, channelId: null, name: null };
    return null;
  };
  const unauthorized = () => googleError(401, "authError", "Request had invalid authentication credentials.", "global");
  const quotaExceeded = () => googleError(403, "quotaExceeded", "The request cannot be completed because you have exceeded your quota.", "youtube.quota");

  server.route("GET", "/youtube/v3/liveChat/messages", (req) => {
    const caller = chatCaller(req, true);
    if (!caller) return unauthorized();
    const chat = chats.get(req.query.get("liveChatId") ?? "");
    if (chat?.quotaExceeded) return quotaExceeded();
    calls["liveChatMessages.list"] = (calls["liveChatMessages.list"] ?? 0) + 1;
    if (!chat) return googleError(404, "liveChatNotFound", "The live chat that you are trying to retrieve cannot be found.");
    const token = req.query.get("pageToken");
    chat.listCalls.push({ pageToken: token, auth: caller.auth, at: Date.now() });
    if (chat.ended) return googleError(403, "liveChatEnded", "The specified live chat is no longer live.");
    if (chat.failNext !== null) {
      const status = chat.failNext;
      chat.failNext = null;
      return googleError(status, "backendError", "Backend Error", "global");
    }
    const from = token === null ? 0 : positionOf(chat, token);
    if (from === null) return googleError(400, "pageTokenInvalid", "The request specifies an invalid page token.");
    // A deleted message leaves the stream but not its place in it: page tokens still point past it.
    const items = chat.messages.slice(from).filter((m) => !chat.deletions.includes(m.id as string));
    return reply(200, {
      kind: "youtube#liveChatMessageListResponse",
      etag: randomBytes(8).toString("hex"),
      pollingIntervalMillis: chat.pollingIntervalMillis,
      pageInfo: { totalResults: items.length, resultsPerPage: items.length },
      nextPageToken: pageToken(chat, chat.messages.length),
      ...(chat.offlineAt ? { offlineAt: chat.offlineAt } : {}),
      items,
    });
  });
  server.route("POST", "/youtube/v3/liveChat/messages", (req) => {
    const caller = chatCaller(req, false);
    if (!caller?.channelId) return unauthorized();
    if (req.query.get("part") !== "snippet") return googleError(400, "invalidPart", "The part parameter must be snippet.", "global");
    const body = bodyOf<{ snippet?: { liveChatId?: string; type?: string; textMessageDetails?: { messageText?: string } } }>(req);
    const chat = chats.get(body.snippet?.liveChatId ?? "");
    if (chat?.quotaExceeded) return quotaExceeded();
    calls["liveChatMessages.insert"] = (calls["liveChatMessages.insert"] ?? 0) + 1;
    if (!chat) return googleError(404, "liveChatNotFound", "The live chat that you are trying to insert a message to cannot be found.");
    if (chat.ended) return googleError(403, "liveChatEnded", "The specified live chat is no longer live.");
    const text = body.snippet?.textMessageDetails?.messageText ?? "";
    if (body.snippet?.type !== "textMessageEvent" || !text) return googleError(400, "messageTextRequired", "The request must specify a value for the snippet.textMessageDetails.messageText property.");
    if (text.length > 200) return googleError(400, "messageTextInvalid", "The message text is too long.");
    const message = chatMessage(chat, { type: "textMessageEvent", author: { channelId: caller.channelId, displayName: caller.name ?? "", isChatOwner: caller.channelId === chat.ownerChannelId }, text });
    // What the author posted is part of the chat: the next list call returns it too, as YouTube does.
    chat.messages.push(message);
    chat.inserts.push({ id: message.id, text, authorChannelId: caller.channelId });
    return reply(200, message);
  });
  server.route("DELETE", "/youtube/v3/liveChat/messages", (req) => {
    const caller = chatCaller(req, false);
    if (!caller?.channelId) return unauthorized();
    const id = req.query.get("id") ?? "";
    const chat = [...chats.values()].find((c) => c.messages.some((m) => m.id === id) && !c.deletions.includes(id));
    if (!chat) return googleError(404, "liveChatMessageNotFound", "The live chat message that you are trying to delete cannot be found.");
    calls["liveChatMessages.delete"] = (calls["liveChatMessages.delete"] ?? 0) + 1;
    chat.deletions.push(id);
    return { status: 204 };
  });
  server.route("POST", "/youtube/v3/liveChat/bans", (req) => {
    const caller = chatCaller(req, false);
    if (!caller?.channelId) return unauthorized();
    const body = bodyOf<{ snippet?: { liveChatId?: string; type?: string; banDurationSeconds?: number; bannedUserDetails?: { channelId?: string } } }>(req);
    const chat = chats.get(body.snippet?.liveChatId ?? "");
    if (!chat) return googleError(404, "liveChatNotFound", "The live chat cannot be found.");
    const banned = body.snippet?.bannedUserDetails?.channelId;
    if (!banned) return googleError(400, "bannedUserChannelIdRequired", "The liveChatBan resource must specify snippet.bannedUserDetails.channelId.");
    calls["liveChatBans.insert"] = (calls["liveChatBans.insert"] ?? 0) + 1;
    chat.bans.push({ bannedChannelId: banned, type: body.snippet?.type ?? "", banDurationSeconds: body.snippet?.banDurationSeconds ?? null });
    return reply(200, { kind: "youtube#liveChatBan", id: `ban-${serial++}`, snippet: body.snippet });
  });

  server.route("POST", "/__control/youtube/live-chats", (req) => {
    const b = bodyOf<{ liveChatId: string; ownerChannelId: string; pollingIntervalMillis?: number }>(req);
    chats.set(b.liveChatId, {
      id: b.liveChatId,
      ownerChannelId: b.ownerChannelId,
      pollingIntervalMillis: b.pollingIntervalMillis ?? 5000,
      messages: [],
      offlineAt: null,
      ended: false,
      quotaExceeded: false,
      failNext: null,
      listCalls: [],
      inserts: [],
      deletions: [],
      bans: [],
    });
    return reply(200, { ok: true });
  });
  server.route("POST", "/__control/youtube/live-chats/:id/messages", (req) => {
    const chat = chats.get(req.params.id ?? "");
    if (!chat) return reply(404, { error: "no such chat" });
    const added = bodyOf<FakeChatEvent[]>(req).map((e) => chatMessage(chat, e));
    chat.messages.push(...added);
    return reply(200, { ids: added.map((m) => m.id) });
  });
  server.route("POST", "/__control/youtube/live-chats/:id/set", (req) => {
    const chat = chats.get(req.params.id ?? "");
    if (!chat) return reply(404, { error: "no such chat" });
    const b = bodyOf<{ pollingIntervalMillis?: number; offlineAt?: string | null; ended?: boolean; quotaExceeded?: boolean; failNext?: number }>(req);
    if (b.pollingIntervalMillis !== undefined) chat.pollingIntervalMillis = b.pollingIntervalMillis;
    if (b.offlineAt !== undefined) chat.offlineAt = b.offlineAt;
    if (b.ended !== undefined) chat.ended = b.ended;
    if (b.quotaExceeded !== undefined) chat.quotaExceeded = b.quotaExceeded;
    if (b.failNext !== undefined) chat.failNext = b.failNext;
    return reply(200, { ok: true });
  });
  server.route("GET", "/__control/youtube/live-chats/:id", (req) => {
    const chat = chats.get(req.params.id ?? "");
    if (!chat) return reply(404, { error: "no such chat" });
    const state: FakeLiveChatState = { listCalls: chat.listCalls, inserts: chat.inserts, deletions: chat.deletions, bans: chat.bans, messages: chat.messages.length };
    return reply(200, state);
  });

  // ---- broadcasts ----
  const broadcastLists: FakeBroadcastList[] = [];
  const LIFE_CYCLE: Record<Video["live"], string | null> = { live: "live", ended: "complete", upcoming: "ready", none: null };
  const STATUS_MATCHES: Record<string, (lifeCycle: string) => boolean> = {
    active: (l) => l === "live" || l === "liveStarting",
    completed: (l) => l === "complete",
    upcoming: (l) => l === "created" || l === "ready",
    all: () => true,
  };
  const broadcastResource = (v: Video, lifeCycleStatus: string, parts: Set<string>) => ({
    kind: "youtube#liveBroadcast",
    etag: randomBytes(8).toString("hex"),
    id: v.id,
    ...(parts.has("snippet")
      ? {
          snippet: {
            publishedAt: v.startedAt ?? new Date().toISOString(),
            channelId: v.channelId,
            title: v.title,
            description: "",
            thumbnails: { high: { url: `https://i.ytimg.com/vi/${v.id}/hqdefault_live.jpg`, width: 480, height: 360 } },
            ...(v.startedAt ? { actualStartTime: v.startedAt } : {}),
            ...(v.endedAt ? { actualEndTime: v.endedAt } : {}),
            isDefaultBroadcast: false,
            ...(v.liveChatId ? { liveChatId: v.liveChatId } : {}),
          },
        }
      : {}),
    ...(parts.has("status") ? { status: { lifeCycleStatus, privacyStatus: "public", recordingStatus: lifeCycleStatus === "complete" ? "recorded" : "recording", madeForKids: false, selfDeclaredMadeForKids: false } } : {}),
  });
  server.route("GET", "/youtube/v3/liveBroadcasts", (req) => {
    const me = oauth.accountOf(req.headers.authorization);
    if (!me) return unauthorized();
    const q = req.query;
    const parts = new Set((q.get("part") ?? "").split(",").filter(Boolean));
    if (parts.size === 0) return googleError(400, "required", "Required parameter: part", "global");
    const filters = ["broadcastStatus", "id", "mine"].filter((f) => q.has(f));
    if (filters.length !== 1) return googleError(400, "incompatibleParameters", `Incompatible parameters specified in the request: ${filters.join(", ")}`, "youtube.parameter");
    const status = q.get("broadcastStatus");
    if (status !== null && !STATUS_MATCHES[status]) return googleError(400, "invalidValue", `Invalid value for broadcastStatus: ${status}`, "youtube.parameter");
    calls["liveBroadcasts.list"] = (calls["liveBroadcasts.list"] ?? 0) + 1;
    broadcastLists.push({ channelId: me.id, broadcastStatus: status, broadcastType: q.get("broadcastType") });
    const ids = new Set((q.get("id") ?? "").split(",").filter(Boolean));
    const type = q.get("broadcastType") ?? "event";
    const items = [...videos.values()].flatMap((v) => {
      const lifeCycle = LIFE_CYCLE[v.live];
      if (!lifeCycle || v.channelId !== me.id) return [];
      if (ids.size > 0 && !ids.has(v.id)) return [];
      if (status !== null && !(STATUS_MATCHES[status] as (l: string) => boolean)(lifeCycle)) return [];
      if (ids.size === 0 && type !== "all" && type !== (v.broadcastType ?? "persistent")) return [];
      return [broadcastResource(v, lifeCycle, parts)];
    });
    return reply(200, { kind: "youtube#liveBroadcastListResponse", etag: randomBytes(8).toString("hex"), pageInfo: { totalResults: items.length, resultsPerPage: 5 }, items: items.slice(0, Number(q.get("maxResults") ?? "5")) });
  });

  const videoResource = (v: Video, parts: Set<string>) => ({
    kind: "youtube#video",
    etag: randomBytes(8).toString("hex"),
    id: v.id,
    ...(parts.has("snippet")
      ? { snippet: { publishedAt: "2026-01-01T00:00:00Z", channelId: v.channelId, channelTitle: v.channelTitle ?? "Channel", title: v.title, description: "", liveBroadcastContent: v.live === "ended" ? "none" : v.live, thumbnails: { default: { url: `https://i.ytimg.com/vi/${v.id}/default.jpg`, width: 120, height: 90 }, high: { url: `https://i.ytimg.com/vi/${v.id}/hqdefault${v.live === "none" ? "" : "_live"}.jpg`, width: 480, height: 360 } } } }
      : {}),
    ...(parts.has("contentDetails")
      ? { contentDetails: { duration: v.duration ?? (v.live === "live" || v.live === "upcoming" ? "P0D" : "PT3M33S"), dimension: "2d", definition: "hd", caption: "false", licensedContent: true, contentRating: v.ageRestricted ? { ytRating: "ytAgeRestricted" } : {}, projection: "rectangular" } }
      : {}),
    ...(parts.has("status") ? { status: { uploadStatus: "processed", privacyStatus: v.privacyStatus ?? "public", license: "youtube", embeddable: v.embeddable ?? true, publicStatsViewable: true, madeForKids: false } } : {}),
    ...(v.live === "none" || !parts.has("liveStreamingDetails")
      ? {}
      : {
          liveStreamingDetails: {
            actualStartTime: v.startedAt,
            ...(v.endedAt ? { actualEndTime: v.endedAt } : {}),
            ...(v.scheduledAt ? { scheduledStartTime: v.scheduledAt } : {}),
            ...(v.viewers !== undefined ? { concurrentViewers: String(v.viewers) } : {}),
            ...(v.live === "live" && v.liveChatId ? { activeLiveChatId: v.liveChatId } : {}),
          },
        }),
  });

  server.route("GET", "/youtube/v3/videos", (req) =>
    keyed(req, "videos.list", () => {
      const ids = (req.query.get("id") ?? "").split(",").filter(Boolean);
      if (ids.length > 50) return reply(400, { error: { code: 400, message: "too many ids", errors: [{ reason: "badRequest" }] } });
      const parts = new Set((req.query.get("part") ?? "").split(",").filter(Boolean));
      if (parts.size === 0) return googleError(400, "required", "Required parameter: part", "global");
      for (const id of ids) videoLookups[id] = (videoLookups[id] ?? 0) + 1;
      // A private video is not listed to an API key, as if it did not exist.
      const listed = ids.flatMap((id) => {
        const v = videos.get(id);
        return v && v.privacyStatus !== "private" ? [videoResource(v, parts)] : [];
      });
      return reply(200, { kind: "youtube#videoListResponse", etag: randomBytes(8).toString("hex"), pageInfo: { totalResults: listed.length, resultsPerPage: listed.length }, items: listed });
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
    for (const v of bodyOf<Video[]>(req)) {
      videos.set(v.id, v);
      // The stream going offline is what ends its chat: the next liveChatMessages.list page carries offlineAt.
      const chat = v.live === "ended" && v.liveChatId ? chats.get(v.liveChatId) : undefined;
      if (chat && !chat.offlineAt) chat.offlineAt = v.endedAt ?? new Date().toISOString();
    }
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
  server.route("GET", "/__control/youtube/state", () => reply(200, { hubRequests: hubRequests.map(({ secret: _s, ...h }) => h), calls, broadcastLists, videoLookups }));

  return { origin: server.origin, apiBase: `${server.origin}/youtube/v3`, hubUrl: `${server.origin}/websub/subscribe`, close: server.close };
}
