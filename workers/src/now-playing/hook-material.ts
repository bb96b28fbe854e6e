// What the Plex receiver needs per webhook URL, cached by the token's hash for a few minutes, so a warm webhook
// touches no Postgres (Neon sleeps after 5 idle minutes). The entry holds no secret: the key is a hash of the token,
// the value names only the guild, its channel and filters. Every settings change drops the entry at once.
import { nowPlayingSettings } from "@nebula/schema";
import { eq } from "drizzle-orm";
import type { Cache } from "../cache/cache.ts";
import { randomToken, sha256Hex } from "../crypto/tokens.ts";
import type { Db } from "../db/client.ts";

export const HOOK_CACHE_TTL_SECONDS = 300;
/** Unknown tokens are remembered briefly too, so a scanner cannot keep Neon awake. */
const UNKNOWN_HOOK_TTL_SECONDS = 60;
const UNKNOWN = "unknown";

/**
 * `nc_plex_` + 256 random bits, base64url. The `nc_` prefix is one the logger already redacts wherever it appears
 * (a logged URL or path), so the token never reaches the logs in the clear.
 */
export const newPlexToken = () => randomToken("nc_plex_", 32);
export const PLEX_TOKEN_PATTERN = /^nc_plex_[A-Za-z0-9_-]{43}$/;

export const hookCacheKey = (tokenHash: string) => `plex:hook:${tokenHash}`;
export const plexHookPath = (token: string) => `/webhooks/plex/${token}`;

export interface PlexHookMaterial {
  guildId: string;
  tenantId: string;
  channelId: string;
  enabled: boolean;
  plexUsers: string[];
  libraries: string[];
}

async function readHookMaterial(db: Db, tokenHash: string): Promise<PlexHookMaterial | null> {
  const [row] = await db.select().from(nowPlayingSettings).where(eq(nowPlayingSettings.tokenHash, tokenHash)).limit(1);
  if (!row) return null;
  return { guildId: row.guildId, tenantId: row.tenantId, channelId: row.channelId, enabled: row.enabled, plexUsers: row.plexUsers, libraries: row.libraries };
}

/**
 * The hook behind a token, looked up by SHA-256 of the token: the lookup's timing depends on the hash, never on how
 * much of a guessed token is right. Cache first, then Postgres (a cache outage falls back to Postgres).
 */
export async function plexHookMaterial(cache: Cache, db: () => Db, token: string): Promise<PlexHookMaterial | null> {
  const tokenHash = await sha256Hex(token);
  const key = hookCacheKey(tokenHash);
  const cached = await cache.get(key).catch(() => null);
  if (cached === UNKNOWN) return null;
  if (cached) return JSON.parse(cached) as PlexHookMaterial;
  const material = await readHookMaterial(db(), tokenHash);
  await cache.set(key, material ? JSON.stringify(material) : UNKNOWN, { ttlSeconds: material ? HOOK_CACHE_TTL_SECONDS : UNKNOWN_HOOK_TTL_SECONDS }).catch(() => {});
  return material;
}

/** After a change to the settings or the token: the next webhook reads Postgres again. */
export async function forgetPlexHook(cache: Cache, tokenHash: string): Promise<void> {
  await cache.delete(hookCacheKey(tokenHash));
}
