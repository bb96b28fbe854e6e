// Each platform's OAuth 2 server as the stream bot uses it: the consent URL (arctic, authorization code + PKCE S256),
// the code exchange, refresh and revocation (arctic's OAuth2Client where it speaks the platform's wire format, our own
// form post through PlatformHttp where it does not; see TOKEN_CLIENT), the account behind a token, and Twitch's hourly
// token validation. Every token call is bounded by the platform timeout, and a refusal of the grant itself is a
// GrantRefused wherever it came from. Quirks followed: Twitch wants client_id/secret in the form body and answers
// `scope` as an array; Google only hands out a refresh token with access_type=offline + prompt=consent; Kick is OAuth
// 2.1 and refuses a flow without PKCE; Spotify wants the app's credentials as HTTP Basic auth and has no revocation.
import { ArcticFetchError, CodeChallengeMethod, OAuth2Client, OAuth2RequestError, type OAuth2Tokens, UnexpectedErrorResponseBodyError, UnexpectedResponseError } from "arctic";
import type { api } from "@nebula/schema";
import { z } from "zod";
import type { Cache } from "../cache/cache.ts";
import type { Config } from "../config/config.ts";
import { AppError } from "../errors/app-error.ts";
import { PLATFORM_TIMEOUT_MS, PlatformHttp } from "../platforms/platform-http.ts";
import { spendQuota } from "../platforms/youtube/youtube-quota.ts";

type Platform = api.ConnectionPlatform;

export interface TokenGrant {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
  /** Null when the platform did not say (Google's refresh may omit it): keep what was granted before. */
  scopes: string[] | null;
}

export interface PlatformIdentity {
  platformUserId: string;
  login: string;
  displayName: string;
  avatarUrl: string | null;
}

/** The platform refused the grant itself (invalid_grant, Twitch's "Invalid refresh token"): only the user can fix it. */
export class GrantRefused extends Error {
  constructor(
    readonly platform: Platform,
    readonly reason: string,
  ) {
    super(`${platform} refused the grant: ${reason}`);
    this.name = "GrantRefused";
  }
}

interface OAuthApp {
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** Null: the platform offers no revocation (Spotify: the user removes the app at spotify.com/account/apps). */
  revokeUrl: string | null;
}

/**
 * Who sends the code exchange and the refresh. arctic's OAuth2Client authenticates a confidential client with HTTP
 * Basic only (RFC 6749 §2.3.1); where the platform takes the secret solely as form fields, our own post does it.
 * - twitch "form": id.twitch.tv/oauth2/token takes client_id and client_secret in the body and has no Basic auth
 *   (dev.twitch.tv/docs/authentication/getting-tokens-oauth/#authorization-code-grant-flow; arctic's own Twitch
 *   provider says so and posts the form, but with its endpoint fixed to id.twitch.tv).
 * - kick "form": id.kick.com/oauth/token documents client_id and client_secret as form body fields and no Basic auth
 *   (docs.kick.com/getting-started/generating-tokens-oauth2-flow; arctic's Kick provider posts the form too, but with
 *   its endpoint fixed to id.kick.com).
 * - youtube "arctic": Google's token endpoint accepts client_secret_basic as well as client_secret_post
 *   (token_endpoint_auth_methods_supported in accounts.google.com/.well-known/openid-configuration).
 * - spotify "arctic": accounts.spotify.com/api/token wants "Authorization: Basic <client_id:client_secret>"
 *   (developer.spotify.com/documentation/web-api/tutorials/code-flow).
 */
const TOKEN_CLIENT: Record<Platform, "arctic" | "form"> = { twitch: "form", kick: "form", youtube: "arctic", spotify: "arctic" };

const trim = (base: string) => base.replace(/\/$/, "");

const CREDENTIALS: Record<Platform, [keyof Config, keyof Config]> = {
  twitch: ["TWITCH_CLIENT_ID", "TWITCH_CLIENT_SECRET"],
  youtube: ["YOUTUBE_CLIENT_ID", "YOUTUBE_CLIENT_SECRET"],
  kick: ["KICK_CLIENT_ID", "KICK_CLIENT_SECRET"],
  spotify: ["SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET"],
};

/** The variables still to set before this platform can be connected (empty when configured). */
export function missingCredentials(config: Config, platform: Platform): string[] {
  return CREDENTIALS[platform].filter((name) => !config[name]);
}

function oauthApp(config: Config, platform: Platform): OAuthApp {
  const missing = missingCredentials(config, platform);
  if (missing.length) throw new AppError("MISCONFIGURED", `${platform} connections are not configured on this server (set ${missing.join(" and ")})`, { details: { platform, missing } });
  const [idName, secretName] = CREDENTIALS[platform];
  const clientId = config[idName] as string;
  const clientSecret = config[secretName] as string;
  switch (platform) {
    case "twitch": {
      const auth = trim(config.TWITCH_AUTH_BASE);
      return { clientId, clientSecret, authorizeUrl: `${auth}/authorize`, tokenUrl: `${auth}/token`, revokeUrl: `${auth}/revoke` };
    }
    case "youtube": {
      const tokens = trim(config.GOOGLE_TOKEN_BASE);
      return { clientId, clientSecret, authorizeUrl: `${trim(config.GOOGLE_AUTH_BASE)}/auth`, tokenUrl: `${tokens}/token`, revokeUrl: `${tokens}/revoke` };
    }
    case "kick": {
      const auth = trim(config.KICK_AUTH_BASE);
      return { clientId, clientSecret, authorizeUrl: `${auth}/oauth/authorize`, tokenUrl: `${auth}/oauth/token`, revokeUrl: `${auth}/oauth/revoke` };
    }
    case "spotify": {
      const accounts = trim(config.SPOTIFY_ACCOUNTS_BASE);
      return { clientId, clientSecret, authorizeUrl: `${accounts}/authorize`, tokenUrl: `${accounts}/api/token`, revokeUrl: null };
    }
  }
}

/** arctic's client for this app, authenticating with HTTP Basic (TOKEN_CLIENT "arctic"). */
const arcticClient = (app: OAuthApp, redirectUri: string | null) => new OAuth2Client(app.clientId, app.clientSecret, redirectUri);

export function authorizeUrl(config: Config, platform: Platform, flow: { state: string; verifier: string; scopes: readonly string[]; redirectUri: string }): URL {
  const app = oauthApp(config, platform);
  const url = arcticClient(app, flow.redirectUri).createAuthorizationURLWithPKCE(
    app.authorizeUrl,
    flow.state,
    CodeChallengeMethod.S256,
    flow.verifier,
    [...flow.scopes],
  );
  if (platform === "youtube") {
    // Google: a refresh token only with offline access, and only again on a fresh consent.
    url.searchParams.set("access_type", "offline");
    url.searchParams.set("prompt", "consent");
    url.searchParams.set("include_granted_scopes", "true");
  }
  // Twitch: show the consent screen even when the app was authorized before, so the user can pick another account.
  if (platform === "twitch") url.searchParams.set("force_verify", "true");
  return url;
}

const TokenResponse = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().int().nonnegative().optional(),
  scope: z.union([z.string(), z.array(z.string())]).optional(),
});

const ErrorResponse = z.looseObject({ error: z.string().optional(), message: z.string().optional(), error_description: z.string().optional() });

function scopesOf(scope: string | string[] | undefined): string[] | null {
  if (scope === undefined) return null;
  return (Array.isArray(scope) ? scope : scope.split(/[\s,]+/)).filter(Boolean);
}

/** Refusals of the grant (not of the app): the OAuth `invalid_grant`, and Twitch's plain-message 400s. */
function refusalOf(status: number, body: unknown): string | null {
  if (status !== 400 && status !== 401) return null;
  const e = ErrorResponse.safeParse(body).data;
  if (e?.error === "invalid_grant") return "invalid_grant";
  if (e?.message && /invalid (refresh token|authorization code|token)/i.test(e.message)) return e.message;
  return null;
}

/** A token endpoint's 200 answer as a grant; `expires_in` counts from `now`. */
function grantOf(http: PlatformHttp, body: unknown, now: Date): TokenGrant {
  const parsed = TokenResponse.safeParse(body);
  if (!parsed.success) throw http.upstream("token endpoint answered an unexpected body");
  const t = parsed.data;
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token ?? null,
    expiresAt: t.expires_in === undefined ? null : new Date(now.getTime() + t.expires_in * 1000),
    scopes: scopesOf(t.scope),
  };
}

/** Our own post (TOKEN_CLIENT "form"): the app's credentials as form fields, through PlatformHttp (timeout, 429). */
async function formTokenRequest(app: OAuthApp, platform: Platform, form: Record<string, string>, now: Date): Promise<TokenGrant> {
  const http = new PlatformHttp(platform);
  const res = await http.send<unknown>({
    method: "POST",
    url: app.tokenUrl,
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({ ...form, client_id: app.clientId, client_secret: app.clientSecret }).toString(),
  });
  if (res.status === 200) return grantOf(http, res.body, now);
  const refused = refusalOf(res.status, res.body);
  if (refused) throw new GrantRefused(platform, refused);
  const e = ErrorResponse.safeParse(res.body).data;
  // invalid_client and friends: the server's app credentials, not the user, are wrong.
  throw http.upstream(`token endpoint answered ${res.status}${e?.error ? ` (${e.error})` : ""}`, { status: res.status });
}

/**
 * arctic gives no way to see the headers of a 429 (it throws UnexpectedResponseError with the status alone), so a
 * token endpoint's Retry-After is unknown: callers are told a minute (the five-minute refresh job retries later anyway).
 */
const ARCTIC_429_WAIT_MS = 60_000;

/**
 * Runs one arctic call as PlatformHttp would: bounded by the platform timeout (arctic fetches without a signal; the
 * caller stops waiting, the fetch ends with the invocation), its errors in our model: the grant refused (OAuth
 * invalid_grant, or Twitch's plain-message 400) is a GrantRefused, a 429 is RATE_LIMITED, anything else UPSTREAM.
 */
async function viaArctic<T>(platform: Platform, work: () => Promise<T>): Promise<T> {
  const http = new PlatformHttp(platform);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(http.upstream("request timed out")), PLATFORM_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work(), timedOut]);
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof OAuth2RequestError) {
      if (err.code === "invalid_grant") throw new GrantRefused(platform, "invalid_grant");
      // invalid_client and friends: the server's app credentials, not the user, are wrong.
      throw http.upstream(`token endpoint answered ${err.code}`, { error: err.code });
    }
    if (err instanceof UnexpectedErrorResponseBodyError) {
      const refused = refusalOf(err.status, err.data);
      if (refused) throw new GrantRefused(platform, refused);
      throw http.upstream(`token endpoint answered ${err.status}`, { status: err.status });
    }
    if (err instanceof UnexpectedResponseError) {
      if (err.status === 429) throw http.rateLimited(ARCTIC_429_WAIT_MS);
      throw http.upstream(err.status === 200 ? "token endpoint answered an unexpected body" : `token endpoint answered ${err.status}`, { status: err.status });
    }
    if (err instanceof ArcticFetchError) throw http.upstream("request failed");
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

const arcticGrant = async (platform: Platform, work: () => Promise<OAuth2Tokens>, now: Date): Promise<TokenGrant> => {
  const tokens = await viaArctic(platform, work);
  return grantOf(new PlatformHttp(platform), tokens.data, now);
};

export function exchangeCode(config: Config, platform: Platform, input: { code: string; verifier: string; redirectUri: string }, now: Date): Promise<TokenGrant> {
  const app = oauthApp(config, platform);
  if (TOKEN_CLIENT[platform] === "arctic") return arcticGrant(platform, () => arcticClient(app, input.redirectUri).validateAuthorizationCode(app.tokenUrl, input.code, input.verifier), now);
  return formTokenRequest(app, platform, { grant_type: "authorization_code", code: input.code, code_verifier: input.verifier, redirect_uri: input.redirectUri }, now);
}

export function refreshGrant(config: Config, platform: Platform, refreshToken: string, now: Date): Promise<TokenGrant> {
  const app = oauthApp(config, platform);
  // No `scope`: a refresh keeps the scopes of the grant.
  if (TOKEN_CLIENT[platform] === "arctic") return arcticGrant(platform, () => arcticClient(app, null).refreshAccessToken(app.tokenUrl, refreshToken, []), now);
  return formTokenRequest(app, platform, { grant_type: "refresh_token", refresh_token: refreshToken }, now);
}

/** Revokes at the platform; false when the platform could not be reached or refused (the token may already be dead). */
export async function revokeAtPlatform(config: Config, platform: Platform, tokens: { accessToken: string; refreshToken: string | null }): Promise<boolean> {
  const app = oauthApp(config, platform);
  if (app.revokeUrl === null) return false;
  const revokeUrl = app.revokeUrl;
  try {
    switch (platform) {
      case "twitch":
        // Twitch: POST /oauth2/revoke with client_id + token in the form and no secret (the access token; its refresh
        // token goes with it), which is what arctic's revocation sends for a client without a password.
        await viaArctic(platform, () => new OAuth2Client(app.clientId, null, null).revokeToken(revokeUrl, tokens.accessToken));
        return true;
      case "youtube":
        // Google: revoking the refresh token ends the whole grant, access tokens included.
        await viaArctic(platform, () => arcticClient(app, null).revokeToken(revokeUrl, tokens.refreshToken ?? tokens.accessToken));
        return true;
      case "kick": {
        // Kick: POST /oauth/revoke?token=…&token_hint_type=…, one call per token, the token in the query string
        // (docs.kick.com/getting-started/generating-tokens-oauth2-flow): arctic posts it in the body.
        const http = new PlatformHttp(platform);
        let ok = true;
        const sent: [string, string][] = [[tokens.accessToken, "access_token"]];
        if (tokens.refreshToken) sent.push([tokens.refreshToken, "refresh_token"]);
        for (const [token, hint] of sent) {
          const url = `${revokeUrl}?${new URLSearchParams({ token, token_hint_type: hint })}`;
          const res = await http.send({ method: "POST", url, headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" });
          ok &&= res.status === 200;
        }
        return ok;
      }
      case "spotify":
        // No revocation endpoint: the tokens are deleted here and the user removes the app on Spotify's side.
        return false;
    }
  } catch {
    return false;
  }
}

const TwitchUsers = z.object({ data: z.array(z.looseObject({ id: z.string(), login: z.string(), display_name: z.string(), profile_image_url: z.string().optional() })).min(1) });
const YouTubeChannels = z.object({
  items: z
    .array(z.looseObject({ id: z.string(), snippet: z.looseObject({ title: z.string(), customUrl: z.string().optional(), thumbnails: z.record(z.string(), z.looseObject({ url: z.string() })).optional() }) }))
    .default([]),
});
const SpotifyUser = z.looseObject({ id: z.string().min(1), display_name: z.string().nullable().optional(), images: z.array(z.looseObject({ url: z.string() })).nullable().optional() });
const KickUsers = z.object({ data: z.array(z.looseObject({ user_id: z.number().int(), name: z.string(), profile_picture: z.string().optional() })).min(1) });

/** The account a fresh token belongs to: who connected, with the name and picture the settings page shows. */
export async function readIdentity(config: Config, cache: Cache, platform: Platform, accessToken: string, now: Date): Promise<PlatformIdentity> {
  const http = new PlatformHttp(platform);
  const bearer = { authorization: `Bearer ${accessToken}`, accept: "application/json" };
  const parse = <T extends z.ZodType>(schema: T, body: unknown, what: string): z.output<T> => {
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw http.upstream(`unexpected ${what} answer`);
    return parsed.data;
  };
  switch (platform) {
    case "twitch": {
      // Helix GET /users without parameters: the user the token belongs to.
      const body = await http.json<unknown>({ url: `${trim(config.TWITCH_API_BASE)}/users`, headers: { ...bearer, "client-id": config.TWITCH_CLIENT_ID ?? "" } });
      const u = parse(TwitchUsers, body, "users").data[0] as z.output<typeof TwitchUsers>["data"][number];
      return { platformUserId: u.id, login: u.login, displayName: u.display_name, avatarUrl: u.profile_image_url || null };
    }
    case "youtube": {
      await spendQuota(cache, "channels.list", now.getTime());
      const body = await http.json<unknown>({ url: `${trim(config.YOUTUBE_API_BASE)}/channels?part=snippet&mine=true`, headers: bearer });
      const ch = parse(YouTubeChannels, body, "channels.list").items[0];
      if (!ch) throw new AppError("BAD_REQUEST", "This Google account has no YouTube channel; pick the account that owns your channel", { details: { platform } });
      const t = ch.snippet.thumbnails ?? {};
      return { platformUserId: ch.id, login: ch.snippet.customUrl ?? ch.id, displayName: ch.snippet.title, avatarUrl: (t.default ?? t.medium ?? t.high)?.url ?? null };
    }
    case "kick": {
      // Kick: GET /public/v1/users without ids answers the token's own user.
      const body = await http.json<unknown>({ url: `${trim(config.KICK_API_BASE)}/public/v1/users`, headers: bearer });
      const u = parse(KickUsers, body, "users").data[0] as z.output<typeof KickUsers>["data"][number];
      return { platformUserId: String(u.user_id), login: u.name, displayName: u.name, avatarUrl: u.profile_picture || null };
    }
    case "spotify": {
      // Spotify: GET /v1/me, the token's user; id and display name need no scope beyond the grant itself.
      const body = await http.json<unknown>({ url: `${trim(config.SPOTIFY_API_BASE)}/v1/me`, headers: bearer });
      const u = parse(SpotifyUser, body, "/v1/me");
      return { platformUserId: u.id, login: u.id, displayName: u.display_name || u.id, avatarUrl: u.images?.[0]?.url ?? null };
    }
  }
}

const TwitchValidation = z.looseObject({ user_id: z.string(), login: z.string(), scopes: z.array(z.string()).nullable().optional(), expires_in: z.number() });

/** Twitch: GET /oauth2/validate with `Authorization: OAuth <token>`; 401 means the token no longer works. */
export async function validateTwitchToken(config: Config, accessToken: string): Promise<{ valid: true; scopes: string[]; expiresIn: number } | { valid: false }> {
  const http = new PlatformHttp("twitch");
  const res = await http.send<unknown>({ url: `${trim(config.TWITCH_AUTH_BASE)}/validate`, headers: { authorization: `OAuth ${accessToken}` } });
  if (res.status === 401) return { valid: false };
  if (res.status !== 200) throw http.upstream(`validate answered ${res.status}`, { status: res.status });
  const v = TwitchValidation.safeParse(res.body);
  if (!v.success) throw http.upstream("validate answered an unexpected body");
  return { valid: true, scopes: v.data.scopes ?? [], expiresIn: v.data.expires_in };
}
