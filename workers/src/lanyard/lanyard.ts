// Lanyard (https://github.com/Phineas/lanyard): a Discord account's presence and Spotify over REST, for accounts that
// joined Lanyard's Discord server. GET {LANYARD_API_BASE}/users/:id → {success, data} or, for an account Lanyard does
// not watch, 404 {success:false, error:{code:"user_not_monitored"}}. Answers are cached 15 s in the shared cache, so
// /profile and the dashboard's presence list ask Lanyard at most every 15 s per account.
import type { api } from "@nebula/schema";
import { z } from "zod";
import type { Cache } from "../cache/cache.ts";
import type { Config } from "../config/config.ts";
import { AppError } from "../errors/app-error.ts";

export const PRESENCE_CACHE_SECONDS = 15;
const TIMEOUT_MS = 5_000;
export const presenceCacheKey = (discordId: string) => `lanyard:${discordId}`;

const nullableText = z.string().max(500).nullish().transform((v) => v ?? null);

const LanyardData = z.looseObject({
  discord_status: z.string().optional(),
  activities: z.array(z.looseObject({ name: z.string().max(200), type: z.number().int(), details: nullableText, state: nullableText })).default([]),
  listening_to_spotify: z.boolean().default(false),
  spotify: z
    .looseObject({ song: z.string().max(500), artist: z.string().max(500), album: z.string().max(500), album_art_url: nullableText, track_id: nullableText })
    .nullish(),
});

const LanyardAnswer = z.union([
  z.looseObject({ success: z.literal(true), data: LanyardData }),
  z.looseObject({ success: z.literal(false), error: z.looseObject({ code: z.string(), message: z.string().optional() }) }),
]);

const STATUSES = new Set<string>(["online", "idle", "dnd", "offline"]);
/** Discord activity type 2 is "Listening"; Spotify shows up as one, and Lanyard already lifts it into `spotify`. */
const SPOTIFY_ACTIVITY = "Spotify";

export function presenceOf(discordId: string, answer: z.infer<typeof LanyardAnswer>): api.Presence {
  if (!answer.success) return { discordId, monitored: false, status: null, activities: [], spotify: null };
  const d = answer.data;
  const spotify = d.listening_to_spotify && d.spotify ? d.spotify : null;
  return {
    discordId,
    monitored: true,
    status: d.discord_status && STATUSES.has(d.discord_status) ? (d.discord_status as api.Presence["status"]) : null,
    activities: d.activities.filter((a) => !(spotify && a.name === SPOTIFY_ACTIVITY)).map((a) => ({ name: a.name, type: a.type, details: a.details, state: a.state })),
    spotify: spotify ? { song: spotify.song, artist: spotify.artist, album: spotify.album, albumArtUrl: spotify.album_art_url, trackId: spotify.track_id } : null,
  };
}

export interface LanyardDeps {
  config: Pick<Config, "LANYARD_API_BASE">;
  cache: Cache;
}

/** A cached presence, or null: for the interaction fast path, which must not wait on Lanyard. */
export async function cachedPresence(cache: Cache, discordId: string): Promise<api.Presence | null> {
  const raw = await cache.get(presenceCacheKey(discordId)).catch(() => null);
  return raw ? (JSON.parse(raw) as api.Presence) : null;
}

/** The presence, from the cache or Lanyard. Lanyard down or answering nonsense: UPSTREAM. */
export async function fetchPresence(deps: LanyardDeps, discordId: string): Promise<api.Presence> {
  const hit = await cachedPresence(deps.cache, discordId);
  if (hit) return hit;
  const url = `${deps.config.LANYARD_API_BASE.replace(/\/$/, "")}/users/${encodeURIComponent(discordId)}`;
  const res = await fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(TIMEOUT_MS) }).catch(() => null);
  if (!res) throw new AppError("UPSTREAM", "Lanyard did not answer");
  // Lanyard answers 404 with a JSON body for accounts it does not watch; other non-2xx answers are outages.
  if (!res.ok && res.status !== 404) throw new AppError("UPSTREAM", `Lanyard answered ${res.status}`, { details: { status: res.status } });
  const parsed = LanyardAnswer.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new AppError("UPSTREAM", "Lanyard answered something unexpected");
  const presence = presenceOf(discordId, parsed.data);
  await deps.cache.set(presenceCacheKey(discordId), JSON.stringify(presence), { ttlSeconds: PRESENCE_CACHE_SECONDS }).catch(() => {});
  return presence;
}
