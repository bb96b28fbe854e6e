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
//   GET  /__control/requests   the request log (method, path, query, form body, authorization scheme).
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export const API_PREFIX = "/api/v10";
/** The test app registered at the fake (DISCORD_CLIENT_ID / DISCORD_CLIENT_SECRET of the workers project). */
export const TEST_DISCORD_CLIENT_ID = "100000000000000001";
export const TEST_DISCORD_CLIENT_SECRET = "test-client-secret";
export const FAKE_SESSION_COOKIE = "fake_discord_session";

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

export interface FakeRequest {
  method: string;
  /** Path below the server root, e.g. /api/v10/users/@me. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  cookies: Record<string, string>;
  rawBody: string;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export type Handler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface FakeDiscord {
  /** Value for DISCORD_API_BASE, e.g. http://127.0.0.1:PORT/api/v10. */
  url: string;
  /** Server root, where /__control lives. */
  origin: string;
  requests: LoggedRequest[];
  setMode(mode: ConsentMode): void;
  upsertUser(user: DiscordUser): void;
  /** Adds a route; `path` is below the root and may hold `:name` segments (e.g. `/api/v10/channels/:id/messages`). */
  route(method: string, path: string, handler: Handler): void;
  close(): Promise<void>;
}

export interface FakeDiscordOptions {
  clientId: string;
  clientSecret: string;
  /** Registered redirect URIs; the authorize and token endpoints accept only these. */
  redirectUris: string[];
  users?: DiscordUser[];
  port?: number;
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

export async function startFakeDiscord(options: FakeDiscordOptions): Promise<FakeDiscord> {
  const users = new Map<string, DiscordUser>((options.users ?? []).map((u) => [u.id, u]));
  const browserSessions = new Map<string, { userId: string; decision?: ConsentMode }>();
  const grants = new Map<string, Grant>();
  const accessTokens = new Map<string, { userId: string; scope: string; expiresAt: number }>();
  const requests: LoggedRequest[] = [];
  const routes: Route[] = [];
  let mode: ConsentMode = "approve";

  function route(method: string, path: string, handler: Handler): void {
    const names: string[] = [];
    const source = path
      .split("/")
      .map((seg) => {
        if (!seg.startsWith(":")) return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        names.push(seg.slice(1));
        return "([^/]+)";
      })
      .join("/");
    routes.push({ method, pattern: new RegExp(`^${source}$`), names, handler });
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

  route("GET", "/__control/requests", () => json(200, requests));

  // ---- Server ----

  function logEntry(req: FakeRequest): LoggedRequest {
    let body: Record<string, unknown> | null = null;
    const type = req.headers["content-type"] ?? "";
    if (type.startsWith("application/x-www-form-urlencoded")) {
      body = Object.fromEntries(new URLSearchParams(req.rawBody));
      if ("client_secret" in body) body.client_secret = "[redacted]";
    }    else if (type.startsWith("application/json")) {
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
      r.names.forEach((name, i) => {
        req.params[name] = decodeURIComponent(m[i + 1] ?? "");
      });
      return r.handler(req);
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
        const req: FakeRequest = {
          method: incoming.method ?? "GET",
          path: decodeURIComponent(url.pathname),
          params: {},
          query: url.searchParams,
          headers: incoming.headers,
          cookies: parseCookies(incoming.headers.cookie),
          rawBody: Buffer.concat(chunks).toString("utf8"),
        };
        if (!req.path.startsWith("/__control")) requests.push(logEntry(req));
        res = await dispatch(req);
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
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
