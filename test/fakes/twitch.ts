// A fake Twitch for tests: OAuth client credentials (/oauth2/token), Helix /streams, /users, /videos and EventSub
// subscriptions (/helix/eventsub/subscriptions) with Twitch's Ratelimit-* headers and 429 once the bucket is empty,
// plus a signed EventSub sender. TWITCH_AUTH_BASE = <origin>/oauth2, TWITCH_API_BASE = <origin>/helix.
//   POST /__control/twitch/users   [{id, login, display_name}]          accounts that exist
//   POST /__control/twitch/live    {user_id, id, title, game_name, viewer_count, started_at}   goes live
//   POST /__control/twitch/offline {user_id, vod?: {id, url}}            ends the stream (keeps an archive)
//   POST /__control/twitch/bucket  {limit, remaining?, resetAt?, clientId?}  the rate-limit bucket (points per minute;
//                                   resetAt: epoch ms of the refill, in the past to refill on the next call)
//   POST /__control/twitch/apps    {clientId, clientSecret}              another app (own bucket: Twitch's is per client id)
//   GET  /__control/twitch/apps/:clientId   {helixCalls, bucket, streamCalls}: Helix requests that reached the fake for
//                                  that app, and the user ids of each of its /streams calls
//   POST /__control/twitch/sign    {messageType, subscriptionType, event?, subscriptionId?, status?, secret?,
//                                   timestamp?, messageId?, challenge?}  → {headers, body}: an EventSub delivery
//   GET  /__control/twitch/state   subscriptions, /streams calls (ids per call), tokens issued
// Creating a subscription that needs a user's consent (channel.cheer: bits:read …) answers 403 unless that user has
// granted the scopes through the fake OAuth, as Twitch does; channel.chat.message also needs the broadcaster's
// channel:bot or the bot being a moderator there.
// Chat (Send Chat Message with chat limits, delete, timeouts, a signed channel.chat.message sender): twitch-chat.ts.
// User OAuth (stream bot connections, test/fakes/platform-oauth.ts): /oauth2/authorize, token grants, /oauth2/revoke,
// /oauth2/validate; Helix accepts those user tokens and GET /helix/users without parameters answers the token's user.
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { installFakeOAuth } from "./platform-oauth.ts";
import { type PlatformServer, bodyOf, reply, startPlatformServer } from "./platform-server.ts";
import { installTwitchChat } from "./twitch-chat.ts";

export const TEST_TWITCH_CLIENT_ID = "faketwitchclientid0001";
export const TEST_TWITCH_CLIENT_SECRET = "fake-twitch-client-secret";
export const TEST_TWITCH_EVENTSUB_SECRET = "fake-eventsub-secret-0123456789";

interface Stream {
  id: string;
  user_id: string;
  user_login: string;
  user_name: string;
  game_id: string;
  game_name: string;
  type: "live";
  title: string;
  viewer_count: number;
  started_at: string;
  language: string;
  thumbnail_url: string;
  tags: string[];
  is_mature: boolean;
}

export interface FakeTwitch {
  origin: string;
  apiBase: string;
  authBase: string;
  /** Adds a route; with `first` it sees requests before the fake's own (return null to let them through). */
  route: PlatformServer["route"];
  close(): Promise<void>;
}

/** The stack settings that point the Worker's Twitch client, OAuth and EventSub verification at this fake. */
export function twitchStackEnv(twitch: Pick<FakeTwitch, "apiBase" | "authBase">): Record<string, string> {
  return {
    TWITCH_API_BASE: twitch.apiBase,
    TWITCH_AUTH_BASE: twitch.authBase,
    TWITCH_CLIENT_ID: TEST_TWITCH_CLIENT_ID,
    TWITCH_CLIENT_SECRET: TEST_TWITCH_CLIENT_SECRET,
    TWITCH_EVENTSUB_SECRET: TEST_TWITCH_EVENTSUB_SECRET,
  };
}

/**
 * EventSub types that need the user's consent (Twitch's EventSub reference, "Authorization"): which condition field
 * names the user and the scopes they must have granted. Without them Twitch answers 403.
 */
const EVENTSUB_AUTHORIZATION: Record<string, { user: string; scopes: string[] }> = {
  "channel.follow": { user: "moderator_user_id", scopes: ["moderator:read:followers"] },
  "channel.subscribe": { user: "broadcaster_user_id", scopes: ["channel:read:subscriptions"] },
  "channel.subscription.message": { user: "broadcaster_user_id", scopes: ["channel:read:subscriptions"] },
  "channel.subscription.gift": { user: "broadcaster_user_id", scopes: ["channel:read:subscriptions"] },
  "channel.cheer": { user: "broadcaster_user_id", scopes: ["bits:read"] },
  "channel.chat.message": { user: "user_id", scopes: ["user:read:chat", "user:bot"] },
};

/**
 * channel.chat.message also needs the channel's side (EventSub reference, v1 Authorization): the broadcaster granted
 * channel:bot, or the bot (user_id) is a moderator there, or the bot is the broadcaster.
 */
function channelAllowsBot(condition: Record<string, string>, granted: (userId: string) => Set<string>, isModerator: (broadcaster: string, user: string) => boolean): boolean {
  const broadcaster = condition.broadcaster_user_id ?? "";
  const bot = condition.user_id ?? "";
  return broadcaster === bot || granted(broadcaster).has("channel:bot") || isModerator(broadcaster, bot);
}

/** Twitch answers 409 for a subscription of the same type and the same condition (every field of it). */
function sameCondition(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}

export function signEventSub(secret: string, messageId: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(messageId + timestamp + body).digest("hex")}`;
}

export async function startFakeTwitch(): Promise<FakeTwitch> {
  const server: PlatformServer = await startPlatformServer("twitch");
  const users = new Map<string, { id: string; login: string; display_name: string }>();
  const streams = new Map<string, Stream>();
  const videos: { id: string; stream_id: string; user_id: string; url: string; title: string; created_at: string; duration: string; type: "archive" }[] = [];
  const subscriptions: { id: string; status: string; type: string; version: string; condition: Record<string, string>; created_at: string; transport: { method: string; callback: string }; cost: number; secret: string }[] = [];
  const tokens = new Set<string>();
  const streamCalls: number[] = [];
  /** The user ids of each /streams call per client id: a test polling as its own app sees only its calls. */
  const streamCallsByApp = new Map<string, string[][]>();
  // Twitch: an app access token's bucket is per client id; tests that drain one register an app of their own.
  const apps = new Map<string, { secret: string; bucket: { limit: number; remaining: number; resetAt: number }; helixCalls: number }>([
    [TEST_TWITCH_CLIENT_ID, { secret: TEST_TWITCH_CLIENT_SECRET, bucket: { limit: 800, remaining: 800, resetAt: 0 }, helixCalls: 0 }],
  ]);
  const oauth = installFakeOAuth(server, {
    platform: "twitch",
    clientId: TEST_TWITCH_CLIENT_ID,
    clientSecret: TEST_TWITCH_CLIENT_SECRET,
    paths: { authorize: "/oauth2/authorize", token: "/oauth2/token", revoke: "/oauth2/revoke", validate: "/oauth2/validate" },
    requirePkce: false,
    // Twitch user access tokens live about four hours.
    expiresIn: 14_400,
    ownTokenRoute: false,
  });

  const rateHeadersOf = (bucket: { limit: number; remaining: number; resetAt: number }) => ({ "ratelimit-limit": String(bucket.limit), "ratelimit-remaining": String(bucket.remaining), "ratelimit-reset": String(Math.ceil(bucket.resetAt / 1000)) });
  /** Twitch: every Helix call costs a point; an empty bucket answers 429 until the reset. */
  function helix(req: { headers: Record<string, string | string[] | undefined> }, work: () => ReturnType<typeof reply>) {
    const auth = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ""));
    const app = apps.get(String(req.headers["client-id"] ?? ""));
    if (!app || !auth?.[1] || (!tokens.has(auth[1]) && !oauth.accountOf(req.headers.authorization))) return reply(401, { error: "Unauthorized", status: 401, message: "Invalid OAuth token" });
    app.helixCalls += 1;
    const bucket = app.bucket;
    const rateHeaders = () => rateHeadersOf(bucket);
    const now = Date.now();
    if (now >= bucket.resetAt) {
      bucket.resetAt = now + 60_000;
      bucket.remaining = bucket.limit;
    }
    if (bucket.remaining <= 0) return reply(429, { error: "Too Many Requests", status: 429, message: "" }, rateHeaders());
    bucket.remaining -= 1;
    const res = work();
    return { ...res, headers: { ...res.headers, ...rateHeaders() } };
  }

  const chat = installTwitchChat(server, helix, signEventSub, TEST_TWITCH_EVENTSUB_SECRET, (authorization) => oauth.accountOf(authorization));

  server.route("POST", "/oauth2/token", (req) => {
    const userGrant = oauth.token(req);
    if (userGrant) return userGrant;
    const form = new URLSearchParams(req.rawBody);
    if (!form.get("client_id") || apps.get(form.get("client_id") ?? "")?.secret !== form.get("client_secret")) return reply(403, { status: 403, message: "invalid client secret" });
    if (form.get("grant_type") !== "client_credentials") return reply(400, { status: 400, message: "invalid grant type" });
    const token = randomBytes(15).toString("hex");
    tokens.add(token);
    return reply(200, { access_token: token, expires_in: 5_000_000, token_type: "bearer" });
  });

  server.route("GET", "/helix/streams", (req) =>
    helix(req, () => {
      const ids = req.query.getAll("user_id");
      if (ids.length > 100) return reply(400, { error: "Bad Request", status: 400, message: "The parameter \"user_id\" may only be specified up to 100 times" });
      streamCalls.push(ids.length);
      const clientId = String(req.headers["client-id"] ?? "");
      streamCallsByApp.set(clientId, [...(streamCallsByApp.get(clientId) ?? []), ids]);
      return reply(200, { data: ids.flatMap((id) => (streams.has(id) ? [streams.get(id)] : [])), pagination: {} });
    }),
  );
  server.route("GET", "/helix/users", (req) =>
    helix(req, () => {
      const ids = req.query.getAll("id");
      const logins = req.query.getAll("login");
      // Helix: with a user token and no parameters, the token's own user.
      const me = ids.length + logins.length === 0 ? oauth.accountOf(req.headers.authorization) : null;
      if (me) return reply(200, { data: [{ id: me.id, login: me.login, display_name: me.displayName, type: "", broadcaster_type: "affiliate", description: "", profile_image_url: me.avatarUrl, offline_image_url: "", view_count: 0, created_at: "2020-01-01T00:00:00Z" }] });
      const data = [...users.values()].filter((u) => ids.includes(u.id) || logins.includes(u.login));
      return reply(200, { data: data.map((u) => ({ ...u, type: "", broadcaster_type: "affiliate", description: "", profile_image_url: "", offline_image_url: "", view_count: 0, created_at: "2020-01-01T00:00:00Z" })) });
    }),
  );
  server.route("GET", "/helix/videos", (req) => helix(req, () => reply(200, { data: videos.filter((v) => v.user_id === req.query.get("user_id")).reverse(), pagination: {} })));
  server.route("POST", "/helix/eventsub/subscriptions", (req) =>
    helix(req, () => {
      const body = bodyOf<{ type: string; version: string; condition: Record<string, string>; transport: { method: string; callback: string; secret: string } }>(req);
      if (!body.transport?.secret || body.transport.secret.length < 10) return reply(400, { error: "Bad Request", status: 400, message: "secret too short" });
      const needs = EVENTSUB_AUTHORIZATION[body.type];
      if (needs) {
        const granted = oauth.grantedScopes(body.condition?.[needs.user] ?? "");
        if (!needs.scopes.every((s) => granted.has(s))) return reply(403, { error: "Forbidden", status: 403, message: "subscription missing proper authorization" });
        if (body.type === "channel.chat.message" && !channelAllowsBot(body.condition, (id) => oauth.grantedScopes(id), chat.isModerator)) {
          return reply(403, { error: "Forbidden", status: 403, message: "subscription missing proper authorization" });
        }
      }
      const dup = subscriptions.find((s) => s.type === body.type && sameCondition(s.condition, body.condition) && s.status !== "notification_failures_exceeded");
      if (dup) return reply(409, { error: "Conflict", status: 409, message: "subscription already exists" });
      const sub = { id: randomUUID(), status: "webhook_callback_verification_pending", type: body.type, version: body.version, condition: body.condition, created_at: new Date().toISOString(), transport: { method: "webhook", callback: body.transport.callback }, cost: 1, secret: body.transport.secret };
      subscriptions.push(sub);
      const { secret: _s, ...shown } = sub;
      return reply(202, { data: [shown], total: subscriptions.length, total_cost: subscriptions.length, max_total_cost: 10_000 });
    }),
  );
  server.route("GET", "/helix/eventsub/subscriptions", (req) =>
    helix(req, () => {
      const userId = req.query.get("user_id");
      const data = subscriptions.filter((s) => !userId || Object.values(s.condition).includes(userId)).map(({ secret: _s, ...shown }) => shown);
      return reply(200, { data, total: data.length, total_cost: data.length, max_total_cost: 10_000, pagination: {} });
    }),
  );
  server.route("DELETE", "/helix/eventsub/subscriptions", (req) =>
    helix(req, () => {
      const at = subscriptions.findIndex((s) => s.id === req.query.get("id"));
      if (at < 0) return reply(404, { error: "Not Found", status: 404, message: "" });
      subscriptions.splice(at, 1);
      return { status: 204 };
    }),
  );

  server.route("POST", "/__control/twitch/users", (req) => {
    for (const u of bodyOf<{ id: string; login: string; display_name: string }[]>(req)) users.set(u.id, u);
    return reply(200, { ok: true });
  });
  server.route("POST", "/__control/twitch/live", (req) => {
    const b = bodyOf<Partial<Stream> & { user_id: string; id: string }>(req);
    const user = users.get(b.user_id);
    streams.set(b.user_id, {
      id: b.id,
      user_id: b.user_id,
      user_login: user?.login ?? b.user_id,
      user_name: user?.display_name ?? b.user_id,
      game_id: "509658",
      game_name: b.game_name ?? "Just Chatting",
      type: "live",
      title: b.title ?? "Live!",
      viewer_count: b.viewer_count ?? 1,
      started_at: b.started_at ?? new Date().toISOString(),
      language: "en",
      thumbnail_url: `https://static-cdn.jtvnw.net/previews-ttv/live_user_${user?.login ?? b.user_id}-{width}x{height}.jpg`,
      tags: [],
      is_mature: false,
    });
    return reply(200, { ok: true });
  });
  server.route("POST", "/__control/twitch/offline", (req) => {
    const b = bodyOf<{ user_id: string; vod?: { id: string; url: string } }>(req);
    const stream = streams.get(b.user_id);
    streams.delete(b.user_id);
    if (stream && b.vod) videos.push({ id: b.vod.id, stream_id: stream.id, user_id: b.user_id, url: b.vod.url, title: stream.title, created_at: stream.started_at, duration: "1h2m3s", type: "archive" });
    return reply(200, { ok: true });
  });
  server.route("POST", "/__control/twitch/bucket", (req) => {
    const b = bodyOf<{ limit: number; remaining?: number; resetAt?: number; clientId?: string }>(req);
    const app = apps.get(b.clientId ?? TEST_TWITCH_CLIENT_ID);
    if (!app) return reply(404, { error: "no such app" });
    app.bucket.limit = b.limit;
    app.bucket.remaining = b.remaining ?? b.limit;
    app.bucket.resetAt = b.resetAt ?? Date.now() + 60_000;
    return reply(200, { ok: true });
  });
  server.route("POST", "/__control/twitch/apps", (req) => {
    const b = bodyOf<{ clientId: string; clientSecret: string }>(req);
    if (apps.has(b.clientId)) return reply(409, { error: "app exists" });
    apps.set(b.clientId, { secret: b.clientSecret, bucket: { limit: 800, remaining: 800, resetAt: 0 }, helixCalls: 0 });
    return reply(200, { ok: true });
  });
  server.route("GET", "/__control/twitch/apps/:clientId", (req) => {
    const app = apps.get(req.params.clientId ?? "");
    return app ? reply(200, { helixCalls: app.helixCalls, bucket: app.bucket, streamCalls: streamCallsByApp.get(req.params.clientId ?? "") ?? [] }) : reply(404, { error: "no such app" });
  });
  server.route("POST", "/__control/twitch/sign", (req) => {
    const b = bodyOf<{ messageType: string; subscriptionType: string; event?: Record<string, unknown>; subscriptionId?: string; status?: string; secret?: string; timestamp?: string; messageId?: string; challenge?: string; condition?: Record<string, string> }>(req);
    const sub = subscriptions.find((s) => s.id === b.subscriptionId);
    const condition = b.condition ?? sub?.condition ?? { broadcaster_user_id: String(b.event?.broadcaster_user_id ?? "") };
    const payload: Record<string, unknown> = {
      subscription: { id: b.subscriptionId ?? sub?.id ?? randomUUID(), status: b.status ?? (b.messageType === "webhook_callback_verification" ? "webhook_callback_verification_pending" : "enabled"), type: b.subscriptionType, version: "1", cost: 1, condition, transport: { method: "webhook", callback: "http://localhost/webhooks/twitch" }, created_at: new Date().toISOString() },
    };
    if (b.messageType === "webhook_callback_verification") payload.challenge = b.challenge ?? randomBytes(16).toString("hex");
    if (b.messageType === "notification") payload.event = b.event ?? {};
    if (b.messageType === "revocation" && sub) sub.status = b.status ?? "notification_failures_exceeded";
    const body = JSON.stringify(payload);
    const messageId = b.messageId ?? randomUUID();
    const timestamp = b.timestamp ?? new Date().toISOString();
    const secret = b.secret ?? sub?.secret ?? TEST_TWITCH_EVENTSUB_SECRET;
    return reply(200, {
      body,
      headers: {
        "content-type": "application/json",
        "twitch-eventsub-message-id": messageId,
        "twitch-eventsub-message-retry": "0",
        "twitch-eventsub-message-type": b.messageType,
        "twitch-eventsub-message-signature": signEventSub(secret, messageId, timestamp, body),
        "twitch-eventsub-message-timestamp": timestamp,
        "twitch-eventsub-subscription-type": b.subscriptionType,
        "twitch-eventsub-subscription-version": "1",
      },
    });
  });
  server.route("GET", "/__control/twitch/state", () =>
    reply(200, { subscriptions: subscriptions.map(({ secret: _s, ...s }) => s), streamCalls, tokensIssued: tokens.size }),
  );

  return { origin: server.origin, apiBase: `${server.origin}/helix`, authBase: `${server.origin}/oauth2`, route: server.route, close: server.close };
}
