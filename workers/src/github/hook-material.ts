// What the receiver needs to verify and route one hook's deliveries, kept in the shared Cache for a few minutes.
// DESIGN: webhooks never wait on Postgres (Neon sleeps after 5 idle minutes and takes hundreds of ms to wake).
// So a warm hook touches no Postgres: the feed's settings and its secrets are cached here still SEALED (the same
// AES-GCM ciphertext as in core.secrets, bound to tenant + name), and opened in memory per request with the key
// ring. A cache dump therefore holds no usable secret. Every change to a feed drops its entry at once; a miss (or
// an entry from before a change, in an isolate that raced it) costs one Postgres read.
import { type api, githubFeeds, secrets } from "@nebula/schema";
import { and, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Cache } from "../cache/cache.ts";
import type { KeyRing, SealedSecret } from "../crypto/secret-box.ts";
import type { Db } from "../db/client.ts";
import { secretAad } from "../secrets/secrets.ts";

export const HOOK_CACHE_TTL_SECONDS = 300;
/** Unknown hook ids are remembered briefly too, so a scanner cannot keep Neon awake. */
const UNKNOWN_HOOK_TTL_SECONDS = 60;
const UNKNOWN = "unknown";

export const feedSecretName = (feedId: string) => `github.secret:${feedId}`;
export const feedWebhookName = (feedId: string) => `github.webhook:${feedId}`;
export const hookCacheKey = (hookId: string) => `github:hook:${hookId}`;

export interface HookMaterial {
  feedId: string;
  tenantId: string;
  name: string;
  enabled: boolean;
  filters: api.GithubFeedFilters;
  destination: api.StoredDestination;
  deployRules: api.GithubDeployRule[];
  deployConfiguredBy: string | null;
  /** The webhook secret, sealed. */
  secret: SealedSecret;
  /** The destination's webhook URL, sealed; null for a channel destination. */
  webhook: SealedSecret | null;
}

async function readHookMaterial(db: Db, hookId: string): Promise<HookMaterial | null> {
  const secret = alias(secrets, "feed_secret");
  const webhook = alias(secrets, "feed_webhook");
  const [row] = await db
    .select({
      feed: githubFeeds,
      secretVersion: secret.keyVersion,
      secretCiphertext: secret.ciphertext,
      webhookVersion: webhook.keyVersion,
      webhookCiphertext: webhook.ciphertext,
    })
    .from(githubFeeds)
    .innerJoin(secret, and(eq(secret.tenantId, githubFeeds.tenantId), eq(secret.name, sql`${feedSecretName("")} || ${githubFeeds.id}`)))
    .leftJoin(webhook, and(eq(webhook.tenantId, githubFeeds.tenantId), eq(webhook.name, sql`${feedWebhookName("")} || ${githubFeeds.id}`)))
    .where(eq(githubFeeds.hookId, hookId))
    .limit(1);
  if (!row) return null;
  const f = row.feed;
  return {
    feedId: f.id,
    tenantId: f.tenantId,
    name: f.name,
    enabled: f.enabled,
    filters: f.filters,
    destination: f.destination,
    deployRules: f.deployRules,
    deployConfiguredBy: f.deployConfiguredBy,
    secret: { keyVersion: row.secretVersion, ciphertext: row.secretCiphertext },
    webhook: row.webhookVersion && row.webhookCiphertext ? { keyVersion: row.webhookVersion, ciphertext: row.webhookCiphertext } : null,
  };
}

/**
 * The hook's material: from the cache, else from Postgres (then cached). A cache outage falls back to Postgres, so
 * GitHub's deliveries still arrive, only slower.
 */
export async function hookMaterial(cache: Cache, db: () => Db, hookId: string): Promise<HookMaterial | null> {
  const key = hookCacheKey(hookId);
  const cached = await cache.get(key).catch(() => null);
  if (cached === UNKNOWN) return null;
  if (cached) return JSON.parse(cached) as HookMaterial;
  const material = await readHookMaterial(db(), hookId);
  const value = material ? JSON.stringify(material) : UNKNOWN;
  await cache.set(key, value, { ttlSeconds: material ? HOOK_CACHE_TTL_SECONDS : UNKNOWN_HOOK_TTL_SECONDS }).catch(() => {});
  return material;
}

/** After any change to a feed: the next delivery reads Postgres again. */
export async function forgetHook(cache: Cache, hookId: string): Promise<void> {
  await cache.delete(hookCacheKey(hookId));
}

export function openFeedSecret(ring: KeyRing, material: HookMaterial): Promise<string> {
  return ring.open(material.secret, secretAad(material.tenantId, feedSecretName(material.feedId)));
}

/** The destination to enqueue to: a channel as is, a webhook URL opened from its sealed copy. */
export async function openDestination(ring: KeyRing, material: HookMaterial): Promise<api.Destination | null> {
  if (material.destination.kind === "channel") return material.destination;
  if (!material.webhook) return null;
  return { kind: "webhook", url: await ring.open(material.webhook, secretAad(material.tenantId, feedWebhookName(material.feedId))) };
}
