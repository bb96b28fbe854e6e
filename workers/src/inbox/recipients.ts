// Whose inbox a platform channel's events go to. Today two places name a tenant's channels: the inbox's own
// `stream.inbox_sources` (a platform connection registers its channel there), and go-live's tracked streamers; others
// may join through `addInboxRecipientResolver`. The answer is cached per channel: an alert on stream must not wait on
// Postgres, so every change to those rows drops the channel's copy (forgetInboxRecipients) and a TTL bounds the rest.
import { inboxSources, trackedStreamers } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import type { Cache } from "../cache/cache.ts";
import type { Db } from "../db/client.ts";

export type ChannelPlatform = "twitch" | "youtube" | "kick";

export interface InboxRecipient {
  tenantId: string;
  /** The tenant member whose channel it is, when a source says so. */
  streamerUserId: string | null;
}

export type InboxRecipientResolver = (db: Db, platform: ChannelPlatform, broadcasterId: string) => Promise<InboxRecipient[]>;

const fromInboxSources: InboxRecipientResolver = (db, platform, broadcasterId) =>
  db
    .select({ tenantId: inboxSources.tenantId, streamerUserId: inboxSources.streamerUserId })
    .from(inboxSources)
    .where(and(eq(inboxSources.platform, platform), eq(inboxSources.broadcasterId, broadcasterId)));

const fromTrackedStreamers: InboxRecipientResolver = async (db, platform, broadcasterId) =>
  (
    await db
      .selectDistinct({ tenantId: trackedStreamers.tenantId })
      .from(trackedStreamers)
      .where(and(eq(trackedStreamers.platform, platform), eq(trackedStreamers.platformUserId, broadcasterId), eq(trackedStreamers.enabled, true)))
  ).map((r) => ({ tenantId: r.tenantId, streamerUserId: null }));

const resolvers: InboxRecipientResolver[] = [fromInboxSources, fromTrackedStreamers];

/** The seam for platform connections: a connected channel's owner is a recipient too. Returns the remover. */
export function addInboxRecipientResolver(resolver: InboxRecipientResolver): () => void {
  resolvers.push(resolver);
  return () => {
    const at = resolvers.indexOf(resolver);
    if (at >= 0) resolvers.splice(at, 1);
  };
}

/** One recipient per tenant; a named streamer wins over an anonymous match. */
export async function inboxRecipients(db: Db, platform: ChannelPlatform, broadcasterId: string): Promise<InboxRecipient[]> {
  const byTenant = new Map<string, InboxRecipient>();
  for (const resolve of resolvers) {
    for (const r of await resolve(db, platform, broadcasterId)) {
      const known = byTenant.get(r.tenantId);
      if (!known || (!known.streamerUserId && r.streamerUserId)) byTenant.set(r.tenantId, r);
    }
  }
  return [...byTenant.values()];
}

const RECIPIENTS_TTL_SECONDS = 300;
const recipientsKey = (platform: ChannelPlatform, broadcasterId: string) => `inbox:recipients:${platform}:${broadcasterId}`;

/** inboxRecipients from the cache, else Postgres (then cached). A cache outage falls back to Postgres. */
export async function cachedInboxRecipients(db: () => Db, cache: Cache, platform: ChannelPlatform, broadcasterId: string): Promise<InboxRecipient[]> {
  const key = recipientsKey(platform, broadcasterId);
  const hit = await cache.get(key).catch(() => null);
  if (hit !== null) return JSON.parse(hit) as InboxRecipient[];
  const recipients = await inboxRecipients(db(), platform, broadcasterId);
  await cache.set(key, JSON.stringify(recipients), { ttlSeconds: RECIPIENTS_TTL_SECONDS }).catch(() => {});
  return recipients;
}

/** After a change to who owns a channel (an inbox source, a tracked streamer, a connection): the next event reads Postgres. */
export const forgetInboxRecipients = (cache: Cache, platform: ChannelPlatform, broadcasterId: string) => cache.delete(recipientsKey(platform, broadcasterId));
