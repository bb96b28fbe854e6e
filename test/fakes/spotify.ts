// A fake Spotify for tests, on one origin for SPOTIFY_ACCOUNTS_BASE and SPOTIFY_API_BASE: the accounts service
// (consent at /authorize, /api/token for authorization_code + PKCE and refresh_token, app credentials as HTTP Basic;
// test/fakes/platform-oauth.ts) and the Web API's GET /v1/me and GET /v1/me/player/currently-playing in Spotify's wire
// format: 200 with the track, 204 when nothing plays, 401 {"error":{status,message}} for an expired or unknown token,
// 429 with Retry-After. Album covers are served as SVG from /art/<id>.svg so a browser shows them.
//   POST /__control/spotify/playback   {accountId, track: {id, name, artists, album, durationMs} | null, isPlaying?, progressMs?}
//   POST /__control/spotify/rate-limit {accountId, retryAfter, times?}   the next `times` calls answer 429
//   GET  /__control/spotify/state?accountId=   currently-playing calls of that account: [{status, at}]
// OAuth controls (expire-access-tokens, revoke-grants, fail-next, state) are under /__control/spotify/oauth/.
import { randomBytes } from "node:crypto";
import { installFakeOAuth } from "./platform-oauth.ts";
import { type PlatformReply, type PlatformServer, bodyOf, reply, startPlatformServer, text } from "./platform-server.ts";

export const TEST_SPOTIFY_CLIENT_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
export const TEST_SPOTIFY_CLIENT_SECRET = "fake-spotify-client-secret";

export interface FakeTrack {
  id: string;
  name: string;
  artists: string[];
  album: string;
  durationMs: number;
}

interface Playback {
  track: FakeTrack | null;
  isPlaying: boolean;
  /** Position at `since`; it advances with the clock while playing, as Spotify's does. */
  progressMs: number;
  since: number;
}

export interface FakeSpotify {
  origin: string;
  close(): Promise<void>;
}

/** Spotify's Web API error body: {"error": {"status", "message"}}. */
const apiError = (status: number, message: string, headers: Record<string, string> = {}): PlatformReply => reply(status, { error: { status, message } }, headers);

const colourOf = (id: string) => `#${Buffer.from(id).toString("hex").padEnd(6, "7").slice(0, 6)}`;

export async function startFakeSpotify(): Promise<FakeSpotify> {
  const server: PlatformServer = await startPlatformServer("spotify");
  const oauth = installFakeOAuth(server, {
    platform: "spotify",
    clientId: TEST_SPOTIFY_CLIENT_ID,
    clientSecret: TEST_SPOTIFY_CLIENT_SECRET,
    paths: { authorize: "/authorize", token: "/api/token" },
    requirePkce: false,
    clientAuth: "basic",
    // Spotify access tokens live one hour.
    expiresIn: 3600,
  });
  const playbacks = new Map<string, Playback>();
  const rateLimits = new Map<string, { retryAfter: number; times: number }>();
  const calls = new Map<string, { status: number; at: string }[]>();

  /** Every Web API call: a live bearer token, else 401 as Spotify words it. */
  const authorized = (headers: Record<string, string | string[] | undefined>) => {
    const account = oauth.accountOf(headers.authorization);
    if (account) return { account, refusal: null };
    return { account: null, refusal: apiError(401, oauth.isExpired(headers.authorization) ? "The access token expired" : "Invalid access token") };
  };

  const trackJson = (t: FakeTrack) => {
    const art = `${server.origin}/art/${encodeURIComponent(t.id)}.svg`;
    const artists = t.artists.map((name, i) => ({ external_urls: { spotify: `https://open.spotify.com/artist/${t.id}${i}` }, href: `https://api.spotify.com/v1/artists/${t.id}${i}`, id: `${t.id}${i}`, name, type: "artist", uri: `spotify:artist:${t.id}${i}` }));
    return {
      album: {
        album_type: "album",
        total_tracks: 10,
        available_markets: ["US"],
        external_urls: { spotify: `https://open.spotify.com/album/${t.id}` },
        href: `https://api.spotify.com/v1/albums/${t.id}`,
        id: `al${t.id}`,
        images: [640, 300, 64].map((size) => ({ url: `${art}?size=${size}`, height: size, width: size })),
        name: t.album,
        release_date: "2024-01-01",
        release_date_precision: "day",
        type: "album",
        uri: `spotify:album:al${t.id}`,
        artists,
      },
      artists,
      available_markets: ["US"],
      disc_number: 1,
      duration_ms: t.durationMs,
      explicit: false,
      external_ids: { isrc: "USXXX2400001" },
      external_urls: { spotify: `https://open.spotify.com/track/${t.id}` },
      href: `https://api.spotify.com/v1/tracks/${t.id}`,
      id: t.id,
      is_local: false,
      name: t.name,
      popularity: 50,
      preview_url: null,
      track_number: 1,
      type: "track",
      uri: `spotify:track:${t.id}`,
    };
  };

  server.route("GET", "/v1/me", (req) => {
    const { account, refusal } = authorized(req.headers);
    if (!account) return refusal;
    return reply(200, {
      display_name: account.displayName,
      external_urls: { spotify: `https://open.spotify.com/user/${account.id}` },
      followers: { href: null, total: 0 },
      href: `https://api.spotify.com/v1/users/${account.id}`,
      id: account.id,
      images: [{ url: account.avatarUrl, height: 300, width: 300 }],
      type: "user",
      uri: `spotify:user:${account.id}`,
    });
  });

  server.route("GET", "/v1/me/player/currently-playing", (req) => {
    const { account, refusal } = authorized(req.headers);
    const log = (status: number) => {
      if (account) calls.set(account.id, [...(calls.get(account.id) ?? []), { status, at: new Date().toISOString() }]);
    };
    if (!account) return refusal;
    const limit = rateLimits.get(account.id);
    if (limit && limit.times > 0) {
      limit.times--;
      log(429);
      return apiError(429, "API rate limit exceeded", { "retry-after": String(limit.retryAfter) });
    }
    const p = playbacks.get(account.id);
    if (!p?.track) {
      log(204);
      return { status: 204 };
    }
    const now = Date.now();
    const progress = Math.min(p.track.durationMs, p.progressMs + (p.isPlaying ? now - p.since : 0));
    log(200);
    return reply(200, {
      timestamp: now,
      context: { type: "playlist", href: "https://api.spotify.com/v1/playlists/fake", external_urls: { spotify: "https://open.spotify.com/playlist/fake" }, uri: "spotify:playlist:fake" },
      progress_ms: progress,
      item: trackJson(p.track),
      currently_playing_type: "track",
      actions: { disallows: p.isPlaying ? { resuming: true } : { pausing: true } },
      is_playing: p.isPlaying,
    });
  });

  // Album covers: a square of a colour derived from the track id, with its name.
  server.route("GET", "/art/:file", (req) => {
    const id = req.params.file?.replace(/\.svg$/, "") ?? "x";
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300" viewBox="0 0 300 300"><rect width="300" height="300" fill="${colourOf(id)}"/><circle cx="150" cy="150" r="90" fill="#111"/><circle cx="150" cy="150" r="24" fill="${colourOf(id)}"/></svg>`;
    return { ...text(200, svg, "image/svg+xml"), headers: { "content-type": "image/svg+xml", "access-control-allow-origin": "*" } };
  });

  server.route("POST", "/__control/spotify/playback", (req) => {
    const b = bodyOf<{ accountId: string; track: FakeTrack | null; isPlaying?: boolean; progressMs?: number }>(req);
    playbacks.set(b.accountId, { track: b.track, isPlaying: b.isPlaying ?? true, progressMs: b.progressMs ?? 0, since: Date.now() });
    return reply(200, { ok: true });
  });
  server.route("POST", "/__control/spotify/rate-limit", (req) => {
    const b = bodyOf<{ accountId: string; retryAfter: number; times?: number }>(req);
    rateLimits.set(b.accountId, { retryAfter: b.retryAfter, times: b.times ?? 1 });
    return reply(200, { ok: true });
  });
  server.route("GET", "/__control/spotify/state", (req) => reply(200, { calls: calls.get(req.query.get("accountId") ?? "") ?? [] }));

  return { origin: server.origin, close: server.close };
}

/** A track id like Spotify's: 22 base62 characters. */
export function fakeTrackId(): string {
  return randomBytes(16).toString("base64url").replace(/[-_]/g, "x").slice(0, 22);
}
