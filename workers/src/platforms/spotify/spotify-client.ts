// Spotify's Web API as the overlays' now-playing layer reads it: GET /v1/me/player/currently-playing with the user's
// token. Spotify answers 200 with the item, is_playing and progress_ms; 204 when nothing plays (or in a private
// session); 429 with Retry-After in seconds (PlatformHttp turns it into RATE_LIMITED); 401 once the token has expired.
import { z } from "zod";
import { PlatformHttp } from "../platform-http.ts";

/** What plays on the account: a track or a podcast episode, with where it stands. */
export interface SpotifyPlayback {
  kind: "playing";
  /** Spotify's id of the track or episode; null for a local file. */
  id: string | null;
  title: string;
  artist: string;
  album: string | null;
  artUrl: string | null;
  isPlaying: boolean;
  progressMs: number | null;
  durationMs: number | null;
}

export type CurrentlyPlaying = SpotifyPlayback | { kind: "nothing" };

/** Spotify answered 401: the access token expired or was revoked; a refresh may fix it. */
export class SpotifyUnauthorized extends Error {
  constructor() {
    super("spotify: the access token was refused");
    this.name = "SpotifyUnauthorized";
  }
}

const Image = z.looseObject({ url: z.string(), width: z.number().nullable().optional(), height: z.number().nullable().optional() });
const Images = z.array(Image).nullable().optional();

const Track = z.looseObject({
  type: z.literal("track"),
  id: z.string().nullable().optional(),
  name: z.string(),
  duration_ms: z.number().int().nonnegative().optional(),
  artists: z.array(z.looseObject({ name: z.string() })).default([]),
  album: z.looseObject({ name: z.string().optional(), images: Images }).optional(),
});

const Episode = z.looseObject({
  type: z.literal("episode"),
  id: z.string().nullable().optional(),
  name: z.string(),
  duration_ms: z.number().int().nonnegative().optional(),
  images: Images,
  show: z.looseObject({ name: z.string(), publisher: z.string().optional(), images: Images }).optional(),
});

const CurrentlyPlayingBody = z.looseObject({
  is_playing: z.boolean(),
  progress_ms: z.number().int().nonnegative().nullable().optional(),
  currently_playing_type: z.string().optional(),
  // Ads and unknown types come with item null; an item of a type we do not know is treated the same.
  item: z.unknown().optional(),
});

const MAX_TEXT = 300;
const clip = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s);

/** Spotify lists a cover in several sizes, largest first: the overlay wants one near 300 px. */
function artOf(images: z.infer<typeof Images>): string | null {
  const list = images ?? [];
  const pick = list.find((i) => (i.width ?? 640) <= 320) ?? list[0];
  return pick && /^https?:\/\//.test(pick.url) && pick.url.length <= 2048 ? pick.url : null;
}

/** The playback in the shape the overlay shows; "nothing" for an ad, an unknown item or none. */
export function playbackOf(body: unknown): CurrentlyPlaying {
  const parsed = CurrentlyPlayingBody.safeParse(body);
  if (!parsed.success) return { kind: "nothing" };
  const { is_playing, progress_ms, item } = parsed.data;
  const progressMs = progress_ms ?? null;
  const track = Track.safeParse(item);
  if (track.success) {
    const t = track.data;
    return {
      kind: "playing",
      id: t.id ?? null,
      title: clip(t.name),
      artist: clip(t.artists.map((a) => a.name).join(", ")),
      album: t.album?.name ? clip(t.album.name) : null,
      artUrl: artOf(t.album?.images),
      isPlaying: is_playing,
      progressMs,
      durationMs: t.duration_ms ?? null,
    };
  }
  const episode = Episode.safeParse(item);
  if (episode.success) {
    const e = episode.data;
    return {
      kind: "playing",
      id: e.id ?? null,
      title: clip(e.name),
      artist: clip(e.show?.name ?? e.show?.publisher ?? ""),
      album: null,
      artUrl: artOf(e.images?.length ? e.images : e.show?.images),
      isPlaying: is_playing,
      progressMs,
      durationMs: e.duration_ms ?? null,
    };
  }
  return { kind: "nothing" };
}

export interface SpotifyClientOptions {
  /** SPOTIFY_API_BASE, e.g. https://api.spotify.com (the client adds /v1/…). */
  apiBase: string;
  fetch?: typeof fetch;
  now?: () => number;
}

export class SpotifyClient {
  private readonly http: PlatformHttp;
  private readonly apiBase: string;

  constructor(options: SpotifyClientOptions) {
    this.apiBase = options.apiBase.replace(/\/$/, "");
    this.http = new PlatformHttp("spotify", { fetch: options.fetch, now: options.now });
  }

  /**
   * What the account plays now. Throws SpotifyUnauthorized on 401, AppError RATE_LIMITED (details.retryAfterSeconds
   * from Retry-After) on 429, and UPSTREAM for anything else Spotify should not have answered.
   */
  async currentlyPlaying(accessToken: string): Promise<CurrentlyPlaying> {
    // additional_types=episode: podcasts show too; without it Spotify answers an episode with item null.
    const url = `${this.apiBase}/v1/me/player/currently-playing?additional_types=episode`;
    const res = await this.http.send<unknown>({ url, headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" } });
    if (res.status === 204) return { kind: "nothing" };
    if (res.status === 401) throw new SpotifyUnauthorized();
    if (res.status !== 200) throw this.http.upstream(`currently-playing answered ${res.status}`, { status: res.status });
    return playbackOf(res.body);
  }
}
