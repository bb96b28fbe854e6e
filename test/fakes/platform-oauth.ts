// The OAuth 2 authorization server half of the platform fakes (Twitch, Google for YouTube, Kick, Spotify): a consent
// screen, authorization codes bound to client, redirect URI and PKCE challenge, the token endpoint (authorization_code
// and refresh_token grants; the app's credentials taken only the ways that platform takes them: form fields, HTTP Basic,
// or either), revocation, and Twitch's /oauth2/validate, each in that platform's own wire format.
// Revoking any token of a grant ends the whole grant, as Google and Twitch do.
//   GET  <authorize>          the consent page (a form: account id, login, display name; Authorize / Cancel)
//   POST <authorize>          the user's answer: 302 to redirect_uri with code+state (or error=access_denied)
//   POST /__control/<platform>/oauth/revoke-grants {accountId}     the user removed the app on the platform
//   POST /__control/<platform>/oauth/fail-next     {status}        the next token request answers this status
//   POST /__control/<platform>/oauth/expire-access-tokens {accountId} the account's access tokens expire now
//   GET  /__control/<platform>/oauth/state?accountId=             grants, revocations, token requests of that account
import { createHash, randomBytes } from "node:crypto";
import { type PlatformReply, type PlatformRequest, type PlatformServer, bodyOf, reply, text } from "./platform-server.ts";

export interface FakeAccount {
  id: string;
  login: string;
  displayName: string;
  avatarUrl: string;
}

interface Grant {
  id: string;
  account: FakeAccount;
  scopes: string[];
  revoked: boolean;
  /** Google: a refresh token only with access_type=offline + prompt=consent. */
  refreshable: boolean;
}

interface Code {
  grant: Omit<Grant, "id" | "revoked">;
  clientId: string;
  redirectUri: string;
  challenge: string | null;
  challengeMethod: string | null;
  expiresAt: number;
}

export interface FakeOAuthOptions {
  platform: "twitch" | "youtube" | "kick" | "spotify";
  clientId: string;
  clientSecret: string;
  /** No `revoke`: the platform has no revocation endpoint (Spotify). */
  paths: { authorize: string; token: string; revoke?: string; validate?: string };
  /**
   * How the token endpoint takes the app's credentials: "basic" HTTP Basic only (Spotify), "form" client_id and
   * client_secret fields only (the default: Twitch, Kick), "either" (Google: client_secret_basic or client_secret_post).
   */
  clientAuth?: "form" | "basic" | "either";
  /** Kick (OAuth 2.1): a flow without PKCE S256 is refused. Google verifies a challenge when one was sent. */
  requirePkce: boolean;
  /** Seconds an access token lives. */
  expiresIn: number;
  /** False when the fake's own token route (client credentials) delegates user grants through `token()`. */
  ownTokenRoute?: boolean;
}

export interface FakeOAuth {
  /** The account behind a live access token, or null. */
  accountOf(authorization: string | string[] | undefined): FakeAccount | null;
  /** Whether a bearer token is one that expired (rather than one never issued). */
  isExpired(authorization: string | string[] | undefined): boolean;
  /** For a token route that also serves other grants (client credentials): null when this is not an OAuth user grant. */
  token(req: PlatformRequest): PlatformReply | null;
  /** Every scope the account has granted the app and not revoked (what Twitch checks before an EventSub create). */
  grantedScopes(accountId: string): Set<string>;
}

const s256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");
const newToken = (prefix: string) => `${prefix}${randomBytes(18).toString("base64url")}`;
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function installFakeOAuth(server: PlatformServer, options: FakeOAuthOptions): FakeOAuth {
  const { platform } = options;
  const codes = new Map<string, Code>();
  const grants = new Map<string, Grant>();
  const accessTokens = new Map<string, string>();
  /** Access tokens that ran out (expire-access-tokens): the APIs answer them "expired", not "invalid". */
  const expired = new Set<string>();
  const refreshTokens = new Map<string, string>();
  const revocations: { accountId: string; tokenKind: "access" | "refresh" | "unknown" }[] = [];
  /** clientAuth: how the app authenticated ("basic" or "form"), so a suite can check each platform's wire format. */
  const tokenRequests: { accountId: string | null; grantType: string; hadVerifier: boolean; ok: boolean; clientAuth: "basic" | "form" }[] = [];
  let failNext: number | null = null;

  /** Twitch answers errors as {status, message}; Google and Kick as RFC 6749 {error, error_description}. */
  const oauthError = (status: number, error: string, message: string): PlatformReply =>
    platform === "twitch" ? reply(status, { status, message }) : reply(status, { error, error_description: message });

  const live = (grantId: string | undefined) => {
    const g = grantId ? grants.get(grantId) : undefined;
    return g && !g.revoked ? g : null;
  };

  const issue = (grant: Grant, rotateRefresh: string | null): PlatformReply => {
    const access = newToken("at_");
    accessTokens.set(access, grant.id);
    let refresh: string | undefined;
    if (grant.refreshable) {
      // Google keeps its refresh token (and does not send it again on refresh); Twitch and Kick hand out a new one.
      if (rotateRefresh && platform === "youtube") refresh = undefined;
      else {
        refresh = newToken("rt_");
        refreshTokens.set(refresh, grant.id);
        if (rotateRefresh) refreshTokens.delete(rotateRefresh);
      }
    }
    const scope = platform === "twitch" ? grant.scopes : grant.scopes.join(" ");
    return reply(200, { access_token: access, expires_in: options.expiresIn, ...(refresh ? { refresh_token: refresh } : {}), scope, token_type: platform === "twitch" ? "bearer" : "Bearer" });
  };

  const authorizeParams = (q: URLSearchParams): { error: string } | { clientId: string; redirectUri: string; state: string; scopes: string[]; challenge: string | null; method: string | null; refreshable: boolean } => {
    if (q.get("client_id") !== options.clientId) return { error: "invalid client_id" };
    if (q.get("response_type") !== "code") return { error: "response_type must be code" };
    const redirectUri = q.get("redirect_uri");
    if (!redirectUri) return { error: "redirect_uri is required" };
    const challenge = q.get("code_challenge");
    const method = q.get("code_challenge_method");
    if (options.requirePkce && (!challenge || method !== "S256")) return { error: "code_challenge with code_challenge_method=S256 is required" };
    const refreshable = platform !== "youtube" || (q.get("access_type") === "offline" && q.get("prompt") === "consent");
    return { clientId: options.clientId, redirectUri, state: q.get("state") ?? "", scopes: (q.get("scope") ?? "").split(" ").filter(Boolean), challenge, method, refreshable };
  };

  server.route("GET", options.paths.authorize, (req) => {
    const p = authorizeParams(req.query);
    if ("error" in p) return text(400, `<h1>Bad request</h1><p>${escapeHtml(p.error)}</p>`, "text/html");
    const action = `${options.paths.authorize}?${req.query.toString()}`;
    const defaultId = platform === "youtube" ? `UC${randomBytes(11).toString("hex")}` : String(10_000_000 + Math.floor(Math.random() * 80_000_000));
    return text(
      200,
      `<!doctype html><html><head><title>${platform} – authorize</title></head><body>
<h1>Fake ${platform}: authorize this app</h1>
<p>The app asks for: <code data-testid="scopes">${escapeHtml(p.scopes.join(" "))}</code></p>
<form method="post" action="${escapeHtml(action)}">
<label>Account id <input name="account_id" value="${defaultId}"></label>
<label>Login <input name="login" value="fake_${platform}_streamer"></label>
<label>Display name <input name="display_name" value="Fake ${platform} Streamer"></label>
<button name="decision" value="allow" type="submit">Authorize</button>
<button name="decision" value="deny" type="submit">Cancel</button>
</form></body></html>`,
      "text/html",
    );
  });

  server.route("POST", options.paths.authorize, (req) => {
    const p = authorizeParams(req.query);
    if ("error" in p) return text(400, p.error);
    const form = new URLSearchParams(req.rawBody);
    const back = new URL(p.redirectUri);
    back.searchParams.set("state", p.state);
    if (form.get("decision") !== "allow") {
      back.searchParams.set("error", "access_denied");
      return { status: 302, headers: { location: back.toString() } };
    }
    const id = form.get("account_id") || String(Date.now());
    const login = form.get("login") || `user_${id}`;
    const account: FakeAccount = { id, login, displayName: form.get("display_name") || login, avatarUrl: `https://static.fake-${platform}.test/avatars/${id}.png` };
    const code = newToken("code_");
    codes.set(code, { grant: { account, scopes: p.scopes, refreshable: p.refreshable }, clientId: p.clientId, redirectUri: p.redirectUri, challenge: p.challenge, challengeMethod: p.method, expiresAt: Date.now() + 600_000 });
    back.searchParams.set("code", code);
    if (platform === "youtube") back.searchParams.set("scope", p.scopes.join(" "));
    return { status: 302, headers: { location: back.toString() } };
  });

  /** RFC 6749 §2.3.1: HTTP Basic "client_id:client_secret", or (where the platform allows it) the two as form fields. */
  const clientAuthOf = (req: PlatformRequest): "basic" | "form" => (/^Basic /.test(String(req.headers.authorization ?? "")) ? "basic" : "form");
  const clientAuthenticated = (req: PlatformRequest, form: URLSearchParams): boolean => {
    const how = clientAuthOf(req);
    const allowed = options.clientAuth ?? "form";
    if (allowed !== "either" && how !== allowed) return false;
    if (how === "form") return form.get("client_id") === options.clientId && form.get("client_secret") === options.clientSecret;
    const m = /^Basic (\S+)$/.exec(String(req.headers.authorization ?? ""));
    return !!m?.[1] && Buffer.from(m[1], "base64").toString("utf8") === `${options.clientId}:${options.clientSecret}`;
  };

  const token = (req: PlatformRequest): PlatformReply | null => {
    const form = new URLSearchParams(req.rawBody);
    const grantType = form.get("grant_type") ?? "";
    if (grantType !== "authorization_code" && grantType !== "refresh_token") return null;
    if (failNext !== null) {
      const status = failNext;
      failNext = null;
      return reply(status, { error: "temporarily_unavailable" });
    }
    if (!clientAuthenticated(req, form)) return oauthError(platform === "twitch" ? 403 : 401, "invalid_client", "invalid client secret");
    if (grantType === "authorization_code") {
      const code = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? "");
      const verifier = form.get("code_verifier");
      const record = (ok: boolean) => tokenRequests.push({ accountId: code?.grant.account.id ?? null, grantType, hadVerifier: !!verifier, ok, clientAuth: clientAuthOf(req) });
      if (!code || code.expiresAt < Date.now() || code.redirectUri !== form.get("redirect_uri")) {
        record(false);
        return oauthError(400, "invalid_grant", "Invalid authorization code");
      }
      if (code.challenge && (!verifier || (code.challengeMethod === "S256" ? s256(verifier) : verifier) !== code.challenge)) {
        record(false);
        return oauthError(400, "invalid_grant", "code_verifier does not match the code_challenge");
      }
      record(true);
      const grant: Grant = { id: newToken("g_"), ...code.grant, revoked: false };
      grants.set(grant.id, grant);
      return issue(grant, null);
    }
    const refresh = form.get("refresh_token") ?? "";
    const grant = live(refreshTokens.get(refresh));
    tokenRequests.push({ accountId: grant?.account.id ?? null, grantType, hadVerifier: false, ok: !!grant, clientAuth: clientAuthOf(req) });
    if (!grant) return oauthError(400, "invalid_grant", platform === "twitch" ? "Invalid refresh token" : "Token has been expired or revoked.");
    return issue(grant, refresh);
  };

  if (options.paths.revoke) server.route("POST", options.paths.revoke, (req) => {
    const form = new URLSearchParams(req.rawBody);
    const tokenValue = form.get("token") ?? req.query.get("token") ?? "";
    if (platform === "twitch" && form.get("client_id") !== options.clientId) return reply(400, { status: 400, message: "invalid client" });
    const grantId = accessTokens.get(tokenValue) ?? refreshTokens.get(tokenValue);
    const grant = grantId ? grants.get(grantId) : undefined;
    if (!grant) return oauthError(400, "invalid_token", "Invalid token");
    grant.revoked = true;
    revocations.push({ accountId: grant.account.id, tokenKind: accessTokens.has(tokenValue) ? "access" : "refresh" });
    return platform === "youtube" ? reply(200, {}) : { status: 200 };
  });

  if (options.paths.validate) {
    // Twitch: `Authorization: OAuth <token>`.
    server.route("GET", options.paths.validate, (req) => {
      const m = /^OAuth (\S+)$/.exec(String(req.headers.authorization ?? ""));
      const grant = live(m?.[1] ? accessTokens.get(m[1]) : undefined);
      if (!grant) return reply(401, { status: 401, message: "invalid access token" });
      return reply(200, { client_id: options.clientId, login: grant.account.login, scopes: grant.scopes, user_id: grant.account.id, expires_in: options.expiresIn });
    });
  }

  server.route("POST", `/__control/${platform}/oauth/revoke-grants`, (req) => {
    const { accountId } = bodyOf<{ accountId: string }>(req);
    let n = 0;
    for (const g of grants.values()) {
      if (g.account.id === accountId && !g.revoked) {
        g.revoked = true;
        n++;
      }
    }
    return reply(200, { revoked: n });
  });
  server.route("POST", `/__control/${platform}/oauth/expire-access-tokens`, (req) => {
    const { accountId } = bodyOf<{ accountId: string }>(req);
    let n = 0;
    for (const [token, grantId] of accessTokens) {
      if (grants.get(grantId)?.account.id !== accountId) continue;
      accessTokens.delete(token);
      expired.add(token);
      n++;
    }
    return reply(200, { expired: n });
  });
  server.route("POST", `/__control/${platform}/oauth/fail-next`, (req) => {
    failNext = bodyOf<{ status: number }>(req).status;
    return reply(200, { ok: true });
  });
  server.route("GET", `/__control/${platform}/oauth/state`, (req) => {
    const accountId = req.query.get("accountId");
    const mine = <T extends { accountId: string | null }>(list: T[]) => list.filter((x) => !accountId || x.accountId === accountId);
    return reply(200, {
      grants: [...grants.values()].filter((g) => !accountId || g.account.id === accountId).map((g) => ({ scopes: g.scopes, revoked: g.revoked, refreshable: g.refreshable })),
      revocations: mine(revocations),
      tokenRequests: mine(tokenRequests),
    });
  });

  if (options.ownTokenRoute !== false) server.route("POST", options.paths.token, (req) => token(req) ?? oauthError(400, "unsupported_grant_type", "unsupported grant type"));

  return {
    accountOf(authorization) {
      const m = /^Bearer (\S+)$/.exec(String(authorization ?? ""));
      return live(m?.[1] ? accessTokens.get(m[1]) : undefined)?.account ?? null;
    },
    isExpired(authorization) {
      const m = /^Bearer (\S+)$/.exec(String(authorization ?? ""));
      return !!m?.[1] && expired.has(m[1]);
    },
    token,
    grantedScopes(accountId) {
      return new Set([...grants.values()].filter((g) => g.account.id === accountId && !g.revoked).flatMap((g) => g.scopes));
    },
  };
}
