// A fake Kick for tests: OAuth client credentials (/oauth/token on the id host), the public API (/public/v1/channels,
// /public/v1/events/subscriptions, /public/v1/public-key) and a webhook sender signing with an RSA key pair the fake
// generates at start (Kick-Event-Signature: base64 RSA-SHA256 over `${id}.${timestamp}.${body}`).
// KICK_API_BASE = KICK_AUTH_BASE = <origin>.
//   POST /__control/kick/channels  [{broadcaster_user_id, slug, live, title?, start_time?, viewers?}]
//   POST /__control/kick/sign      {eventType, event, messageId?, timestamp?, wrongKey?, ring?} → {headers, body}
//   Key rings: GET /rings/:ring/public/v1/public-key serves a key pair of that ring's own (KICK_API_BASE =
//   <origin>/rings/<ring> in one test), so a test can rotate a key and count fetches without touching other suites.
//   POST /__control/kick/rings/:ring/rotate   Kick rotates that ring's key: new pair, the old one no longer signs
//   GET  /__control/kick/rings/:ring          {publicKeyFetches}
//   GET  /__control/kick/state     subscriptions, tokens issued
// Events Subscriptions API (docs.kick.com/events/subscribe-to-events): POST creates (answers per event), GET lists
// the app's (filtered by ?broadcaster_user_id), DELETE ?id=…&id=… removes (204).
//   POST /__control/kick/subscription-failures  {broadcaster_user_id, events?: {[name]: error}, status?, retryAfter?}
//        Kick refuses those events for that broadcaster (per-event `error` in a 200), or answers every request about
//        it with `status` (e.g. 500, or 429 with Retry-After: `retryAfter` (30) seconds); {broadcaster_user_id} alone
//        clears it.
//   POST /__control/kick/apps  {clientId, clientSecret}  another Kick app (client credentials work for it), so a test
//        that gets rate-limited does it under an app of its own (Kick's limits are per app).
//   POST /__control/kick/rate-limited  {slug, times?, retryAfter?}  the next `times` (1) GET /public/v1/channels naming
//        that slug answer 429 Too Many Requests with Retry-After: `retryAfter` (30) seconds
//   GET  /__control/kick/channel-lookups?slug=  {lookups}: GET /public/v1/channels calls naming that slug (429s too)
// Chat (send, delete, timeouts; chat.message.sent comes through /__control/kick/sign): kick-chat.ts.
// User OAuth 2.1 (stream bot connections, test/fakes/platform-oauth.ts): /oauth/authorize (PKCE S256 required),
// token grants, /oauth/revoke; the API accepts those user tokens, and GET /public/v1/users answers the token's user.
import { createSign, generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { installFakeOAuth } from "./platform-oauth.ts";
import { installKickChat } from "./kick-chat.ts";
import { bodyOf, reply, startPlatformServer } from "./platform-server.ts";

export const TEST_KICK_CLIENT_ID = "fake-kick-client";
export const TEST_KICK_CLIENT_SECRET = "fake-kick-client-secret";

/** Kick's ids are ULIDs: 26 Crockford base32 characters. */
const ulid = () => {
  const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  return [...randomBytes(26)].map((b) => alphabet[b % 32]).join("");
};

export interface FakeKick {
  origin: string;
  close(): Promise<void>;
}

const keyPair = () => generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });

export async function startFakeKick(): Promise<FakeKick> {
  const server = await startPlatformServer("kick");
  const kick = keyPair();
  const impostor = keyPair();
  const tokens = new Set<string>();
  const rings = new Map<string, { pair: ReturnType<typeof keyPair>; publicKeyFetches: number }>();
  const ring = (name: string) => {
    let r = rings.get(name);
    if (!r) {
      r = { pair: keyPair(), publicKeyFetches: 0 };
      rings.set(name, r);
    }
    return r;
  };
  const channels = new Map<number, { broadcaster_user_id: number; slug: string; live: boolean; title?: string; start_time?: string; viewers?: number }>();
  const subscriptions: { broadcaster_user_id: number; name: string; version: number; id: string; created_at: string }[] = [];
  const failures = new Map<number, { events: Record<string, string>; status: number | null; retryAfter: number }>();
  const refusedWith = (broadcasterUserId: number) => {
    const failure = failures.get(broadcasterUserId);
    if (!failure || failure.status === null) return null;
    const { status, retryAfter } = failure;
    return status === 429 ? reply(429, { message: "Too Many Requests", data: [] }, { "retry-after": String(retryAfter) }) : reply(status, { message: `fake kick answers ${status}`, data: [] });
  };
  /** Kick apps by client id: the suites' own, and any a test registers. */
  const apps = new Map<string, string>([[TEST_KICK_CLIENT_ID, TEST_KICK_CLIENT_SECRET]]);
  /** Pending 429s per channel slug (rate-limited), and channel lookups per slug. */
  const throttled = new Map<string, { times: number; retryAfter: number }>();
  const lookups = new Map<string, number>();
  const oauth = installFakeOAuth(server, {
    platform: "kick",
    clientId: TEST_KICK_CLIENT_ID,
    clientSecret: TEST_KICK_CLIENT_SECRET,
    paths: { authorize: "/oauth/authorize", token: "/oauth/token", revoke: "/oauth/revoke" },
    requirePkce: true,
    expiresIn: 7_200,
    ownTokenRoute: false,
  });

  const authed = (req: { headers: Record<string, string | string[] | undefined> }, work: () => ReturnType<typeof reply>) => {
    const auth = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ""));
    if (!auth?.[1] || (!tokens.has(auth[1]) && !oauth.accountOf(req.headers.authorization))) return reply(401, { message: "Unauthorized", data: {} });
    return work();
  };

  server.route("POST", "/oauth/token", (req) => {
    const userGrant = oauth.token(req);
    if (userGrant) return userGrant;
    const form = new URLSearchParams(req.rawBody);
    const secret = apps.get(form.get("client_id") ?? "");
    if (secret === undefined || form.get("client_secret") !== secret) return reply(401, { error: "invalid_client" });
    const token = randomBytes(16).toString("hex");
    tokens.add(token);
    return reply(200, { access_token: token, token_type: "Bearer", expires_in: 3600 });
  });
  server.route("GET", "/public/v1/users", (req) =>
    authed(req, () => {
      const me = oauth.accountOf(req.headers.authorization);
      if (!me) return reply(401, { message: "Unauthorized", data: {} });
      return reply(200, { data: [{ user_id: Number(me.id), name: me.login, email: `${me.login}@example.test`, profile_picture: me.avatarUrl }], message: "OK" });
    }),
  );
  server.route("GET", "/public/v1/public-key", () => reply(200, { data: { public_key: kick.publicKey }, message: "OK" }));
  server.route("GET", "/rings/:ring/public/v1/public-key", (req) => {
    const r = ring(req.params.ring ?? "");
    r.publicKeyFetches += 1;
    return reply(200, { data: { public_key: r.pair.publicKey }, message: "OK" });
  });
  server.route("POST", "/__control/kick/rings/:ring/rotate", (req) => {
    ring(req.params.ring ?? "").pair = keyPair();
    return reply(200, { ok: true });
  });
  server.route("GET", "/__control/kick/rings/:ring", (req) => reply(200, { publicKeyFetches: ring(req.params.ring ?? "").publicKeyFetches }));
  server.route("GET", "/public/v1/channels", (req) =>
    authed(req, () => {
      const ids = req.query.getAll("broadcaster_user_id").map(Number);
      const slugs = req.query.getAll("slug");
      for (const slug of slugs) lookups.set(slug, (lookups.get(slug) ?? 0) + 1);
      const limited = slugs.map((slug) => ({ slug, pending: throttled.get(slug) })).find((t) => t.pending && t.pending.times > 0);
      if (limited?.pending) {
        limited.pending.times -= 1;
        return reply(429, { message: "Too Many Requests", data: [] }, { "retry-after": String(limited.pending.retryAfter) });
      }
      const data = [...channels.values()]
        .filter((c) => ids.includes(c.broadcaster_user_id) || slugs.includes(c.slug))
        .map((c) => ({
          broadcaster_user_id: c.broadcaster_user_id,
          slug: c.slug,
          stream_title: c.title ?? "",
          channel_description: "",
          banner_picture: "",
          category: { id: 15, name: "Just Chatting", thumbnail: "" },
          stream: { is_live: c.live, is_mature: false, key: "", language: "en", start_time: c.live ? (c.start_time ?? "") : "0001-01-01T00:00:00Z", thumbnail: c.live ? `https://images.kick.com/video_thumbnails/${c.slug}.webp` : "", url: "", viewer_count: c.viewers ?? 0 },
        }));
      return reply(200, { data, message: "OK" });
    }),
  );
  server.route("POST", "/public/v1/events/subscriptions", (req) =>
    authed(req, () => {
      const b = bodyOf<{ broadcaster_user_id: number; events: { name: string; version: number }[]; method: string }>(req);
      if (b.method !== "webhook") return reply(400, { message: "method must be webhook", data: [] });
      const refused = refusedWith(b.broadcaster_user_id);
      if (refused) return refused;
      const data = b.events.map((e) => {
        const error = failures.get(b.broadcaster_user_id)?.events[e.name];
        if (error) return { name: e.name, version: e.version, subscription_id: "", error };
        const id = ulid();
        subscriptions.push({ broadcaster_user_id: b.broadcaster_user_id, name: e.name, version: e.version, id, created_at: new Date().toISOString() });
        return { name: e.name, version: e.version, subscription_id: id, error: "" };
      });
      return reply(200, { data, message: "OK" });
    }),
  );
  server.route("GET", "/public/v1/events/subscriptions", (req) =>
    authed(req, () => {
      const only = req.query.get("broadcaster_user_id");
      const refused = only ? refusedWith(Number(only)) : null;
      if (refused) return refused;
      const data = subscriptions
        .filter((x) => only === null || x.broadcaster_user_id === Number(only))
        .map((x) => ({ id: x.id, app_id: TEST_KICK_CLIENT_ID, broadcaster_user_id: x.broadcaster_user_id, event: x.name, version: x.version, method: "webhook", created_at: x.created_at, updated_at: x.created_at }));
      return reply(200, { data, message: "OK" });
    }),
  );
  server.route("DELETE", "/public/v1/events/subscriptions", (req) =>
    authed(req, () => {
      const ids = new Set(req.query.getAll("id"));
      if (ids.size === 0) return reply(400, { message: "id is required", data: {} });
      for (let i = subscriptions.length - 1; i >= 0; i--) if (ids.has((subscriptions[i] as { id: string }).id)) subscriptions.splice(i, 1);
      return reply(204);
    }),
  );
  server.route("POST", "/__control/kick/subscription-failures", (req) => {
    const b = bodyOf<{ broadcaster_user_id: number; events?: Record<string, string>; status?: number; retryAfter?: number }>(req);
    if (!b.events && b.status === undefined) failures.delete(b.broadcaster_user_id);
    else failures.set(b.broadcaster_user_id, { events: b.events ?? {}, status: b.status ?? null, retryAfter: b.retryAfter ?? 30 });
    return reply(200, { ok: true });
  });
  server.route("POST", "/__control/kick/apps", (req) => {
    const b = bodyOf<{ clientId: string; clientSecret: string }>(req);
    if (apps.has(b.clientId)) return reply(409, { error: "app exists" });
    apps.set(b.clientId, b.clientSecret);
    return reply(200, { ok: true });
  });

  server.route("POST", "/__control/kick/rate-limited", (req) => {
    const b = bodyOf<{ slug: string; times?: number; retryAfter?: number }>(req);
    throttled.set(b.slug, { times: b.times ?? 1, retryAfter: b.retryAfter ?? 30 });
    return reply(200, { ok: true });
  });
  server.route("GET", "/__control/kick/channel-lookups", (req) => reply(200, { lookups: lookups.get(req.query.get("slug") ?? "") ?? 0 }));
  server.route("POST", "/__control/kick/channels", (req) => {
    for (const c of bodyOf<{ broadcaster_user_id: number; slug: string; live: boolean }[]>(req)) channels.set(c.broadcaster_user_id, c);
    return reply(200, { ok: true });
  });
  server.route("POST", "/__control/kick/sign", (req) => {
    const b = bodyOf<{ eventType: string; event: unknown; messageId?: string; timestamp?: string; wrongKey?: boolean; ring?: string }>(req);
    const body = JSON.stringify(b.event);
    const messageId = b.messageId ?? randomUUID().replace(/-/g, "").toUpperCase();
    const timestamp = b.timestamp ?? new Date().toISOString();
    const signer = createSign("RSA-SHA256");
    signer.update(`${messageId}.${timestamp}.${body}`);
    const signature = signer.sign(b.wrongKey ? impostor.privateKey : b.ring ? ring(b.ring).pair.privateKey : kick.privateKey, "base64");
    return reply(200, {
      body,
      headers: {
        "content-type": "application/json",
        "kick-event-message-id": messageId,
        "kick-event-subscription-id": randomUUID(),
        "kick-event-signature": signature,
        "kick-event-message-timestamp": timestamp,
        "kick-event-type": b.eventType,
        "kick-event-version": "1",
      },
    });
  });
  server.route("GET", "/__control/kick/state", () => reply(200, { subscriptions, tokensIssued: tokens.size }));

  installKickChat(server, authed, (authorization) => {
    const account = oauth.accountOf(authorization);
    return account ? { id: account.id, scopes: oauth.grantedScopes(account.id) } : null;
  });

  return { origin: server.origin, close: server.close };
}
