// A small Discord API server for tests, speaking Discord's wire format on a real port (node:http): OAuth 2
// authorization code with PKCE (/oauth2/authorize, /oauth2/token) and /users/@me, under the /api/v10 prefix
// that DISCORD_API_BASE carries. Later suites (bot REST) add their routes to the same small router.
//
// It runs in vitest's globalSetup, a different process from the workerd tests, so tests steer it over HTTP:
//   POST /__control            {mode?: "approve" | "deny", users?: DiscordUser[]}  global default for the consent
//                              screen, and adds or updates users. The mode is shared by every suite: prefer a session.
//   POST /__control/login      {userId, decision?: "approve" | "deny"} → {cookie}: "signs the browser in to Discord".
//                              Send `cookie` on the authorize request; that user is who approves (or denies) it.
//                              Without it, the first configured user approves, per the global mode.
//   GET  /__control/requests   the request log (method, path, query, form body, authorization scheme); ?path= keeps
//                              the requests whose path contains it (a guild's or a channel's id).
//   GET  /__control/unquiet-mentions?path=  messages sent with content but no allowed_mentions (Discord would ping).
//
// Bot REST: POST /channels/:id/messages (Bot token, nonce + enforce_nonce), POST /webhooks/:id/:token, and their
// edits PATCH /channels/:id/messages/:mid and PATCH /webhooks/:id/:token/messages/:mid (same buckets and faults;
// an unknown message id is Discord's 404 10008), with Discord's rate-limit headers, real buckets and seeded faults:
//   POST /__control/bot        {key: "channel:<id>" | "webhook:<id>", ...BotScenario}  replaces that key's scenario
//                              and forgets its messages; each suite uses its own channel ids, so suites never meet.
//   POST /__control/bot/clock  {key, now}  the scenario's clock (epoch ms), for tests that drive time themselves.
//   GET  /__control/bot?key=   {messages, stats}: what Discord stored, in order, and what the fake answered.
//
// File uploads (Discord's "Uploading Files"): a multipart/form-data body on any route is read as Discord reads it:
// `payload_json` becomes the JSON body the route sees, each `files[n]` part becomes `req.files` (filename, size,
// content type, text), and every `attachments[].id` in payload_json must name a files[n] part. A missing
// payload_json or an attachment without its part is Discord's 400 50035 "Invalid Form Body".
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { seededRandom } from "../seeded-random.ts";
import type { BotStats, StoredMessage } from "./discord-types.ts";

export type { BotStats, StoredMessage };

export const API_PREFIX = "/api/v10";
/** The test app registered at the fake (DISCORD_CLIENT_ID / DISCORD_CLIENT_SECRET of the workers project). */
export const TEST_DISCORD_CLIENT_ID = "100000000000000001";
export const TEST_DISCORD_CLIENT_SECRET = "test-client-secret";
export const FAKE_SESSION_COOKIE = "fake_discord_session";
/** The bot token the fake accepts on bot routes (DISCORD_BOT_TOKEN of the workers project). */
export const TEST_DISCORD_BOT_TOKEN = "test-bot-token.fake.discord";

/** The user object Discord returns for /users/@me with the `identify` scope. */
export interface DiscordUser {
  id: string;
  username: string;
  global_name: string | null;
  avatar: string | null;
  discriminator?: string;
}

export type ConsentMode = "approve" | "deny";

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Form or JSON body fields, when the body was one of those. */
  body: Record<string, unknown> | null;
  /** "Basic", "Bearer", "Bot" or null: the scheme only, never the credential. */
  authScheme: string | null;
}

/** One `files[n]` part of a multipart request, as the fake received it. */
export interface UploadedFile {
  /** The n of files[n]: what attachments[].id refers to. */
  id: string;
  filename: string;
  size: number;
  contentType: string;
  /** The bytes as UTF-8 text (tests upload text files: HTML transcripts). */
  content: string;
  description?: string;
}

export interface FakeRequest {
  method: string;
  /** Path below the server root, e.g. /api/v10/users/@me. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  cookies: Record<string, string>;
  /** The body; for multipart, the payload_json part. */
  rawBody: string;
  /** The files of a multipart body. */
  files?: UploadedFile[];
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A handler may answer null: "not mine", and the next matching route is tried (e.g. a guild model that owns some channels). */
export type Handler = (req: FakeRequest) => FakeResponse | null | Promise<FakeResponse | null>;

export interface FakeDiscord {
  /** Value for DISCORD_API_BASE, e.g. http://127.0.0.1:PORT/api/v10. */
  url: string;
  /** Server root, where /__control lives. */
  origin: string;
  requests: LoggedRequest[];
  setMode(mode: ConsentMode): void;
  upsertUser(user: DiscordUser): void;
  /** Adds a route; `path` is below the root and may hold `:name` segments (e.g. `/api/v10/channels/:id/messages`). */
  route(method: string, path: string, handler: Handler, options?: { first?: boolean }): void;
  /** Sets a bot-route scenario directly (the same as POST /__control/bot). */
  botScenario(key: string, scenario: BotScenario): void;
  close(): Promise<void>;
}

export interface FakeDiscordOptions {
  clientId: string;
  clientSecret: string;
  /** Registered redirect URIs; the authorize and token endpoints accept only these. */
  redirectUris: string[];
  users?: DiscordUser[];
  port?: number;
  /** Accepted as `Authorization: Bot <token>` on bot routes; defaults to TEST_DISCORD_BOT_TOKEN. */
  botToken?: string;
}

const CODE_TTL_MS = 10 * 60_000;
const TOKEN_TTL_S = 7 * 24 * 3600;
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

function redirect(location: string): FakeResponse {
  return { status: 302, headers: { location }, body: "" };
}

/** Discord shows an HTML error page (never redirects) when the client or redirect URI is wrong. */
function errorPage(message: string): FakeResponse {
  return { status: 400, headers: { "content-type": "text/html; charset=utf-8" }, body: `<!doctype html><title>Discord</title><p>${message}</p>` };
}

/** OAuth 2 error bodies, as Discord sends them from /oauth2/token. */
function oauthError(status: 400 | 401, error: string, description?: string, headers: Record<string, string> = {}): FakeResponse {
  return json(status, description ? { error, error_description: description } : { error }, headers);
}

const unauthorized = () => json(401, { message: "401: Unauthorized", code: 0 });

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return out;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Basic credentials are form-encoded (RFC 6749 §2.3.1); a malformed escape is taken literally. */
function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

function s256(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

function token(): string {
  return randomBytes(24).toString("base64url");
}

interface Grant {
  clientId: string;
  redirectUri: string;
  challenge: string;
  userId: string;
  scope: string;
  expiresAt: number;
  used: boolean;
  /** Access tokens issued from this code; revoked if the code is replayed (RFC 6749 §4.1.2). */
  issued: string[];
}

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

// ---- Bot REST: channel messages and webhooks, with Discord's rate limits and seeded faults ----

/** How one channel or webhook behaves. Faults are drawn from a PRNG seeded per scenario, so a run repeats exactly. */
export interface BotScenario {
  seed?: number;
  /** Share of calls answered with a route 429 (X-RateLimit-Scope: user). */
  rate429?: number;
  /** Share of calls answered with a global 429 ({global: true}, X-RateLimit-Global). */
  rateGlobal429?: number;
  /** Share of calls answered 500 without storing the message. */
  rate500?: number;
  /** Share of calls that store the message and then answer 500, as Discord occasionally does. */
  rate500AfterStore?: number;
  /** retry_after of injected 429s, seconds (default 0.05). */
  retryAfter?: number;
  /** Answer every call with this status (401, 403, 404) and Discord's error body. */
  status?: number;
  /** 1-based call numbers that never get an answer (the connection hangs). */
  hang?: number[];
  /** The real bucket: this many messages per window (default 5)… */
  bucketLimit?: number;
  /** …of this many seconds (default 1). */
  bucketResetAfter?: number;
}

interface BotState {
  scenario: BotScenario;
  random: () => number;
  clock: number | null;
  messages: StoredMessage[];
  stats: BotStats;
  windowReset: number;
  windowCount: number;
  /** Until when Discord asked this client to hold off (retry_after, or the empty bucket's reset). */
  waitUntil: number;
  webhookToken: string | null;
}


const DISCORD_ERRORS: Record<number, { message: string; code: number }> = {
  401: { message: "401: Unauthorized", code: 0 },
  403: { message: "Missing Access", code: 50001 },
  404: { message: "Unknown Channel", code: 10003 },
};

function createBotRoutes(route: (method: string, path: string, handler: Handler) => void, botToken: string) {
  const states = new Map<string, BotState>();
  let snowflake = 1_300_000_000_000_000_000n;

  function fresh(scenario: BotScenario): BotState {
    return {
      scenario,
      random: seededRandom(scenario.seed ?? 1),
      clock: null,
      messages: [],
      stats: { calls: 0, stored: 0, nonceHits: 0, injected429: 0, injected500: 0, enforced429: 0, violations: 0, hung: 0, edits: 0 },
      windowReset: 0,
      windowCount: 0,
      waitUntil: 0,
      webhookToken: null,
    };
  }
  const stateOf = (key: string) => {
    let s = states.get(key);
    if (!s) {
      s = fresh({});
      states.set(key, s);
    }
    return s;
  };
  const setScenario = (key: string, scenario: BotScenario) => {
    states.set(key, fresh(scenario));
  };

  function rateLimited(state: BotState, now: number, retryAfter: number, global: boolean): FakeResponse {
    state.waitUntil = Math.max(state.waitUntil, now + retryAfter * 1000);
    const headers: Record<string, string> = { "retry-after": String(Math.ceil(retryAfter)), "x-ratelimit-scope": global ? "global" : "user" };
    if (global) headers["x-ratelimit-global"] = "true";
    else {
      Object.assign(headers, {
        "x-ratelimit-limit": String(state.scenario.bucketLimit ?? 5),
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset-after": String(retryAfter),
        "x-ratelimit-reset": String((now + retryAfter * 1000) / 1000),
        "x-ratelimit-bucket": "fake-bucket-messages",
      });
    }
    return json(429, { message: "You are being rate limited.", retry_after: retryAfter, global }, headers);
  }

  /** A create, or with `editId` an edit of that stored message: both pass the same faults and bucket. */
  async function create(key: string, req: FakeRequest, authorized: boolean, nonceAllowed: boolean, editId?: string): Promise<FakeResponse> {
    const state = stateOf(key);
    const { scenario, stats } = state;
    const now = state.clock ?? Date.now();
    stats.calls += 1;
    if (scenario.hang?.includes(stats.calls)) {
      stats.hung += 1;
      return new Promise<FakeResponse>(() => {});
    }
    if (!authorized) return json(401, DISCORD_ERRORS[401]);
    if (scenario.status) return json(scenario.status, DISCORD_ERRORS[scenario.status] ?? { message: `HTTP ${scenario.status}`, code: 0 });
    if (now < state.waitUntil) stats.violations += 1;
    // The real bucket, in the scenario's clock.
    const limit = scenario.bucketLimit ?? 5;
    const resetAfter = scenario.bucketResetAfter ?? 1;
    if (now >= state.windowReset) {
      state.windowReset = now + resetAfter * 1000;
      state.windowCount = 0;
    }
    if (state.windowCount >= limit) {
      stats.enforced429 += 1;
      return rateLimited(state, now, (state.windowReset - now) / 1000, false);
    }
    const retryAfter = scenario.retryAfter ?? 0.05;
    const roll = state.random();
    let edge = scenario.rateGlobal429 ?? 0;
    if (roll < edge) {
      stats.injected429 += 1;
      return rateLimited(state, now, retryAfter, true);
    }
    edge += scenario.rate429 ?? 0;
    if (roll < edge) {
      stats.injected429 += 1;
      return rateLimited(state, now, retryAfter, false);
    }
    edge += scenario.rate500 ?? 0;
    if (roll < edge) {
      stats.injected500 += 1;
      return json(500, { message: "500: Internal Server Error", code: 0 });
    }
    const storeThenFail = roll < edge + (scenario.rate500AfterStore ?? 0);

    let body: { content?: unknown; embeds?: unknown; nonce?: unknown; enforce_nonce?: unknown; allowed_mentions?: unknown };
    try {
      body = JSON.parse(req.rawBody || "{}");
    } catch {
      return json(400, { message: "400: Bad Request", code: 50109 });
    }
    if (editId !== undefined) {
      const target = state.messages.find((m) => m.id === editId);
      if (!target) return json(404, { message: "Unknown Message", code: 10008 });
      state.windowCount += 1;
      if (typeof body.content === "string") target.content = body.content;
      if (Array.isArray(body.embeds)) target.embeds = body.embeds;
      target.edits = (target.edits ?? 0) + 1;
      stats.edits = (stats.edits ?? 0) + 1;
      if (storeThenFail) {
        stats.injected500 += 1;
        return json(500, { message: "500: Internal Server Error", code: 0 });
      }
      return json(200, { ...target, channel_id: req.params.id, type: 0, edited_timestamp: new Date(now).toISOString() }, bucketHeaders(state, now, limit));
    }
    const content = typeof body.content === "string" ? body.content : null;
    const embeds = Array.isArray(body.embeds) ? body.embeds : [];
    if (!content && embeds.length === 0) return json(400, { message: "Cannot send an empty message", code: 50006 });
    const nonce = nonceAllowed && (typeof body.nonce === "string" || typeof body.nonce === "number") ? String(body.nonce) : null;
    if (nonce !== null && nonce.length > 25) {
      return json(400, { message: "Invalid Form Body", code: 50035, errors: { nonce: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 25 or fewer in length." }] } } });
    }

    state.windowCount += 1;
    const headers = bucketHeaders(state, now, limit);
    // Discord: with enforce_nonce, a nonce seen recently in the channel returns that message instead of a new one.
    const existing = nonce !== null && body.enforce_nonce === true ? state.messages.find((m) => m.nonce === nonce) : undefined;
    let message = existing;
    if (existing) stats.nonceHits += 1;
    else {
      snowflake += 1n;
      message = { id: String(snowflake), key, nonce, content, embeds, allowedMentions: body.allowed_mentions ?? null, edits: 0 };
      state.messages.push(message);
      stats.stored += 1;
    }
    if (storeThenFail) {
      stats.injected500 += 1;
      return json(500, { message: "500: Internal Server Error", code: 0 });
    }
    return json(200, { ...message, channel_id: req.params.id, type: 0, timestamp: new Date(now).toISOString(), tts: false, mention_everyone: false }, headers);
  }

  function bucketHeaders(state: BotState, now: number, limit: number): Record<string, string> {
    const remaining = limit - state.windowCount;
    if (remaining === 0) state.waitUntil = Math.max(state.waitUntil, state.windowReset);
    return {
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-remaining": String(remaining),
      "x-ratelimit-reset-after": String((state.windowReset - now) / 1000),
      "x-ratelimit-reset": String(state.windowReset / 1000),
      "x-ratelimit-bucket": "fake-bucket-messages",
    };
  }

  route("PATCH", `${API_PREFIX}/channels/:id/messages/:mid`, (req) => {
    const auth = /^Bot\s+(\S+)$/.exec(req.headers.authorization ?? "");
    return create(`channel:${req.params.id}`, req, !!auth?.[1] && sameSecret(auth[1], botToken), false, req.params.mid);
  });

  route("PATCH", `${API_PREFIX}/webhooks/:id/:token/messages/:mid`, (req) => {
    const key = `webhook:${req.params.id}`;
    const state = stateOf(key);
    if (req.params.token !== state.webhookToken) return json(401, { message: "Invalid Webhook Token", code: 50027 });
    return create(key, req, true, false, req.params.mid);
  });

  route("POST", `${API_PREFIX}/channels/:id/messages`, (req) => {
    const auth = /^Bot\s+(\S+)$/.exec(req.headers.authorization ?? "");
    return create(`channel:${req.params.id}`, req, !!auth?.[1] && sameSecret(auth[1], botToken), true);
  });

  route("POST", `${API_PREFIX}/webhooks/:id/:token`, (req) => {
    const key = `webhook:${req.params.id}`;
    const state = stateOf(key);
    // The first token seen for a webhook id is its token; another one is refused, as Discord does.
    state.webhookToken ??= req.params.token ?? null;
    if (req.params.token !== state.webhookToken) return json(401, { message: "Invalid Webhook Token", code: 50027 });
    return create(key, req, true, false);
  });

  route("POST", "/__control/bot", (req) => {
    const body = JSON.parse(req.rawBody || "{}") as BotScenario & { key?: string };
    const { key, ...scenario } = body;
    if (!key || !/^(channel|webhook):\d+$/.test(key)) return json(400, { error: "key must be channel:<id> or webhook:<id>" });
    setScenario(key, scenario);
    return json(200, { key });
  });

  route("POST", "/__control/bot/clock", (req) => {
    const body = JSON.parse(req.rawBody || "{}") as { key?: string; now?: number };
    if (!body.key || typeof body.now !== "number") return json(400, { error: "key and now are required" });
    stateOf(body.key).clock = body.now;
    return json(200, { key: body.key, now: body.now });
  });

  route("GET", "/__control/bot", (req) => {
    const state = states.get(req.query.get("key") ?? "");
    return json(200, { messages: state?.messages ?? [], stats: state?.stats ?? null });
  });

  return { setScenario };
}

function invalidFormBody(errors: Record<string, unknown>): FakeResponse {
  return json(400, { message: "Invalid Form Body", code: 50035, errors });
}

const fieldError = (code: string, message: string) => ({ _errors: [{ code, message }] });

/**
 * Reads a multipart/form-data body the way Discord does: payload_json is the JSON body, files[n] the uploads, and each
 * attachments[i].id must be the n of an uploaded part. Returns the request with rawBody and files set, or Discord's error.
 */
export async function readMultipart(req: FakeRequest, bytes: Buffer): Promise<FakeRequest | FakeResponse> {
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(bytes), { headers: { "content-type": String(req.headers["content-type"]) } }).formData();
  } catch {
    return json(400, { message: "400: Bad Request", code: 0 });
  }
  const payload = form.get("payload_json");
  if (typeof payload !== "string") return invalidFormBody({ payload_json: fieldError("BASE_TYPE_REQUIRED", "This field is required") });
  let body: { attachments?: unknown };
  try {
    body = JSON.parse(payload) as { attachments?: unknown };
  } catch {
    return json(400, { message: "The request body contains invalid JSON.", code: 50109 });
  }
  const files: UploadedFile[] = [];
  for (const [name, value] of form.entries()) {
    const n = /^files\[(\d+)\]$/.exec(name)?.[1];
    if (n === undefined || typeof value === "string") continue;
    files.push({ id: n, filename: value.name, size: value.size, contentType: value.type, content: await value.text() });
  }
  const attachments = Array.isArray(body.attachments) ? (body.attachments as { id?: unknown; filename?: unknown; description?: unknown }[]) : [];
  const errors: Record<string, unknown> = {};
  attachments.forEach((a, i) => {
    const file = files.find((f) => f.id === String(a?.id));
    if (!file) errors[i] = fieldError("ATTACHMENT_NOT_FOUND", "Attachment data not found");
    else {
      if (typeof a.filename === "string") file.filename = a.filename;
      if (typeof a.description === "string") file.description = a.description;
    }
  });
  if (Object.keys(errors).length > 0) return invalidFormBody({ attachments: errors });
  return { ...req, rawBody: payload, files };
}

export async function startFakeDiscord(options: FakeDiscordOptions): Promise<FakeDiscord> {
  const users = new Map<string, DiscordUser>((options.users ?? []).map((u) => [u.id, u]));
  const browserSessions = new Map<string, { userId: string; decision?: ConsentMode }>();
  const grants = new Map<string, Grant>();
  const accessTokens = new Map<string, { userId: string; scope: string; expiresAt: number }>();
  const requests: LoggedRequest[] = [];
  const routes: Route[] = [];
  let mode: ConsentMode = "approve";

  /** `first`: tried before the routes already registered (an extension that passes with null when not its own). */
  function route(method: string, path: string, handler: Handler, options: { first?: boolean } = {}): void {
    const names: string[] = [];
    const source = path
      .split("/")
      .map((seg) => {
        if (!seg.startsWith(":")) return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        names.push(seg.slice(1));
        return "([^/]+)";
      })
      .join("/");
    const entry = { method, pattern: new RegExp(`^${source}$`), names, handler };
    if (options.first) routes.unshift(entry);
    else routes.push(entry);
  }

  const upsertUser = (user: DiscordUser) => users.set(user.id, user);

  // ---- OAuth 2 ----

  route("GET", `${API_PREFIX}/oauth2/authorize`, (req) => {
    const q = req.query;
    if (q.get("client_id") !== options.clientId) return errorPage("Unknown application (client_id).");
    const redirectUri = q.get("redirect_uri") ?? "";
    if (!options.redirectUris.includes(redirectUri)) return errorPage("Invalid OAuth2 redirect_uri.");
    const back = (params: Record<string, string>) => {
      const to = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) to.searchParams.set(k, v);
      const state = q.get("state");
      if (state !== null) to.searchParams.set("state", state);
      return redirect(to.toString());
    };
    if (q.get("response_type") !== "code") return back({ error: "unsupported_response_type", error_description: "Only response_type=code is supported" });
    const scope = q.get("scope") ?? "";
    if (!scope.split(" ").includes("identify")) return back({ error: "invalid_scope", error_description: "The requested scope is invalid, unknown, or malformed." });
    const challenge = q.get("code_challenge");
    if (q.get("code_challenge_method") !== "S256" || !challenge || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      return back({ error: "invalid_request", error_description: "code_challenge with code_challenge_method=S256 is required" });
    }
    const session = browserSessions.get(req.cookies[FAKE_SESSION_COOKIE] ?? "");
    const userId = session?.userId ?? users.keys().next().value;
    if (!userId || !users.has(userId)) return errorPage("Log in to Discord first.");
    if ((session?.decision ?? mode) === "deny") {
      return back({ error: "access_denied", error_description: "The resource owner or authorization server denied the request" });
    }
    const code = token();
    grants.set(code, { clientId: options.clientId, redirectUri, challenge, userId, scope, expiresAt: Date.now() + CODE_TTL_MS, used: false, issued: [] });
    return back({ code });
  });

  route("POST", `${API_PREFIX}/oauth2/token`, (req) => {
    if (!(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
      return oauthError(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
    }
    const form = new URLSearchParams(req.rawBody);
    // Client authentication: HTTP Basic, or client_id + client_secret in the body; not both.
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    if (basic && form.has("client_secret")) return oauthError(400, "invalid_request", "Use one client authentication method");
    let id = form.get("client_id") ?? "";
    let secret = form.get("client_secret") ?? "";
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      id = formDecode(decoded.slice(0, colon));
      secret = formDecode(decoded.slice(colon + 1));
    }
    if (id !== options.clientId || !sameSecret(secret, options.clientSecret)) {
      return oauthError(401, "invalid_client", undefined, basic ? { "www-authenticate": 'Basic realm="discord"' } : {});
    }
    if (form.get("grant_type") !== "authorization_code") return oauthError(400, "unsupported_grant_type");
    const code = form.get("code") ?? "";
    const grant = grants.get(code);
    if (!grant || grant.clientId !== id || grant.expiresAt <= Date.now()) return oauthError(400, "invalid_grant", 'Invalid "code" in request.');
    if (grant.used) {
      for (const t of grant.issued) accessTokens.delete(t);
      return oauthError(400, "invalid_grant", 'Invalid "code" in request.');
    }
    // Any attempt spends the code, so a wrong verifier cannot be retried until one fits.
    grant.used = true;
    if (form.get("redirect_uri") !== grant.redirectUri) return oauthError(400, "invalid_grant", 'Invalid "redirect_uri" in request.');
    const verifier = form.get("code_verifier") ?? "";
    if (!VERIFIER.test(verifier) || s256(verifier) !== grant.challenge) return oauthError(400, "invalid_grant", 'Invalid "code_verifier" in request.');
    const accessToken = token();
    grant.issued.push(accessToken);
    accessTokens.set(accessToken, { userId: grant.userId, scope: grant.scope, expiresAt: Date.now() + TOKEN_TTL_S * 1000 });
    return json(200, { token_type: "Bearer", access_token: accessToken, expires_in: TOKEN_TTL_S, refresh_token: token(), scope: grant.scope });
  });

  route("GET", `${API_PREFIX}/users/@me`, (req) => {
    const bearer = /^Bearer\s+(\S+)$/.exec(req.headers.authorization ?? "");
    const grant = bearer?.[1] ? accessTokens.get(bearer[1]) : undefined;
    const user = grant && grant.expiresAt > Date.now() ? users.get(grant.userId) : undefined;
    if (!user) return unauthorized();
    return json(200, {
      id: user.id,
      username: user.username,
      global_name: user.global_name,
      avatar: user.avatar,
      discriminator: user.discriminator ?? "0",
      public_flags: 0,
      flags: 0,
      banner: null,
      accent_color: null,
      avatar_decoration_data: null,
      mfa_enabled: false,
      locale: "en-US",
    });
  });

  // ---- Bot REST ----

  const bot = createBotRoutes(route, options.botToken ?? TEST_DISCORD_BOT_TOKEN);

  // ---- Control, for tests in another process ----

  route("POST", "/__control", (req) => {
    const body = JSON.parse(req.rawBody || "{}") as { mode?: ConsentMode; users?: DiscordUser[] };
    if (body.mode !== undefined) {
      if (body.mode !== "approve" && body.mode !== "deny") return json(400, { error: "mode must be approve or deny" });
      mode = body.mode;
    }
    for (const u of body.users ?? []) upsertUser(u);
    return json(200, { mode });
  });

  route("POST", "/__control/login", (req) => {
    const body = JSON.parse(req.rawBody || "{}") as { userId?: string; decision?: ConsentMode };
    if (!body.userId || !users.has(body.userId)) return json(404, { error: "unknown user; add it with POST /__control first" });
    const session = token();
    browserSessions.set(session, { userId: body.userId, decision: body.decision });
    return json(200, { cookie: `${FAKE_SESSION_COOKIE}=${session}` });
  });

  route("GET", "/__control/requests", (req) => {
    const part = req.query.get("path");
    return json(200, part ? requests.filter((r) => r.path.includes(part)) : requests);
  });

  // Messages whose mentions Discord would parse from their content: content without allowed_mentions (Discord: "If
  // allowed_mentions is not passed in, the mentions will be parsed via the content"). Nebula should send none.
  const unquietMentions: { method: string; path: string }[] = [];
  const MESSAGE_ROUTE = new RegExp(`^${API_PREFIX}/(channels/\\d+/messages(/\\d+)?|webhooks/\\d+/[^/]+(/messages/(\\d+|@original))?)$`);
  const CALLBACK_ROUTE = new RegExp(`^${API_PREFIX}/interactions/\\d+/[^/]+/callback$`);
  function parsesMentions(entry: LoggedRequest): boolean {
    if ((entry.method !== "POST" && entry.method !== "PATCH") || !entry.body) return false;
    let message: Record<string, unknown> | null = null;
    if (MESSAGE_ROUTE.test(entry.path)) message = entry.body;
    else if (CALLBACK_ROUTE.test(entry.path) && (entry.body.type === 4 || entry.body.type === 7)) message = (entry.body.data ?? null) as Record<string, unknown> | null;
    return !!message && typeof message.content === "string" && message.content !== "" && message.allowed_mentions === undefined;
  }
  //   GET /__control/unquiet-mentions?path=<substring>  {count, requests}: such messages so far, on paths containing it.
  route("GET", "/__control/unquiet-mentions", (req) => {
    const part = req.query.get("path") ?? "";
    const hits = unquietMentions.filter((r) => r.path.includes(part));
    return json(200, { count: hits.length, requests: hits });
  });

  // ---- Server ----

  function logEntry(req: FakeRequest): LoggedRequest {
    let body: Record<string, unknown> | null = null;
    const type = req.headers["content-type"] ?? "";
    if (type.startsWith("application/x-www-form-urlencoded")) {
      body = Object.fromEntries(new URLSearchParams(req.rawBody));
      if ("client_secret" in body) body.client_secret = "[redacted]";
    } else if (type.startsWith("application/json") || type.startsWith("multipart/form-data")) {
      try {
        body = JSON.parse(req.rawBody) as Record<string, unknown>;
      } catch {
        body = null;
      }
    }
    return {
      method: req.method,
      path: req.path,
      query: Object.fromEntries(req.query),
      body,
      authScheme: /^(\S+)\s/.exec(req.headers.authorization ?? "")?.[1] ?? null,
    };
  }

  async function dispatch(req: FakeRequest): Promise<FakeResponse> {
    let pathMatched = false;
    for (const r of routes) {
      const m = r.pattern.exec(req.path);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== req.method) continue;
      req.params = {};
      r.names.forEach((name, i) => {
        req.params[name] = decodeURIComponent(m[i + 1] ?? "");
      });
      const res = await r.handler(req);
      if (res) return res;
    }
    return pathMatched ? json(405, { message: "405: Method Not Allowed", code: 0 }) : json(404, { message: "404: Not Found", code: 0 });
  }

  const server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (c: Buffer) => chunks.push(c));
    incoming.on("end", async () => {
      let res: FakeResponse;
      try {
        const url = new URL(incoming.url ?? "/", "http://fake");
        const bytes = Buffer.concat(chunks);
        const received: FakeRequest = {
          method: incoming.method ?? "GET",
          path: decodeURIComponent(url.pathname),
          params: {},
          query: url.searchParams,
          headers: incoming.headers,
          cookies: parseCookies(incoming.headers.cookie),
          rawBody: bytes.toString("utf8"),
        };
        const req = (incoming.headers["content-type"] ?? "").startsWith("multipart/form-data") ? await readMultipart(received, bytes) : received;
        if (!received.path.startsWith("/__control")) {
          const entry = logEntry("rawBody" in req ? req : received);
          requests.push(entry);
          if (parsesMentions(entry)) unquietMentions.push({ method: entry.method, path: entry.path });
        }
        res = "rawBody" in req ? await dispatch(req) : req;
      } catch (err) {
        res = json(500, { message: `fake discord: ${(err as Error).message}`, code: 0 });
      }
      outgoing.writeHead(res.status, res.headers ?? {});
      outgoing.end(res.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${origin}${API_PREFIX}`,
    origin,
    requests,
    setMode: (m) => {
      mode = m;
    },
    upsertUser,
    route,
    botScenario: bot.setScenario,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
