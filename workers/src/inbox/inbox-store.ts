// The inbox's rows: storing drafts idempotently (after the overlays have played them; then telling the tenant's
// InboxFeed), the list with filters, search and keyset paging, read state, the unread count, retention and its purge.
import { type api, DEFAULT_INBOX_RETENTION_DAYS, inboxSettings, newId, unifiedInboxNotifications as inbox } from "@nebula/schema";
import { type SQL, and, count, desc, eq, ilike, inArray, isNotNull, isNull, lte, or, sql } from "drizzle-orm";
import type { Cache } from "../cache/cache.ts";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import { AppError } from "../errors/app-error.ts";
import type { Logger } from "../logging/logger.ts";
import { sendInboxItemsToOverlays } from "../overlays/overlay-inbox.ts";
import type { InboxDraft } from "./inbox-draft.ts";
import { type InboxFeed, getInboxFeedByName } from "./inbox-feed.ts";
import type { InboxRecipient } from "./recipients.ts";

type Row = typeof inbox.$inferSelect;

export interface InboxDeps {
  db: Db;
  feeds: DurableObjectNamespace<InboxFeed>;
  /** The tenant's overlays get each event as an alert. */
  rooms: Env["OVERLAY_ROOM"];
  logger: Logger;
  /** Remembers which overlays show alerts; without it the alert reads them from Postgres first. */
  cache?: Cache;
}

export function inboxItemOf(r: Row): api.InboxItem {
  return {
    id: r.id,
    platform: r.platform,
    type: r.type,
    streamerUserId: r.streamerUserId,
    broadcasterId: r.broadcasterId,
    actor: { id: r.actorId, name: r.actorName, avatarUrl: r.actorAvatarUrl },
    amount: r.amount === null ? null : Number(r.amount),
    currency: r.currency,
    bits: r.bits,
    months: r.months,
    count: r.count,
    viewers: r.viewers,
    tier: r.tier,
    message: r.message,
    occurredAt: r.occurredAt.toISOString(),
    readAt: r.readAt?.toISOString() ?? null,
  };
}

/**
 * Plays each draft as an alert on each recipient's overlays, then stores it for each recipient; a (tenant, platform,
 * event id) already stored is skipped, so redeliveries change nothing. The alert goes first and waits on no Postgres
 * (DESIGN: hot paths never do): it is keyed on the platform's event id, so if the insert fails and the event comes
 * again, the overlays skip it. New rows go to the tenant's open inbox pages; a failed push is logged, never retried.
 */
export async function storeInboxDrafts(deps: InboxDeps, recipients: readonly InboxRecipient[], drafts: readonly InboxDraft[]): Promise<api.InboxItem[]> {
  if (recipients.length === 0 || drafts.length === 0) return [];
  await Promise.all([...new Set(recipients.map((r) => r.tenantId))].map((tenantId) => sendInboxItemsToOverlays(deps, tenantId, drafts)));
  const values = recipients.flatMap((r) =>
    drafts.map((d) => ({
      id: newId("inboxNotification"),
      tenantId: r.tenantId,
      streamerUserId: r.streamerUserId,
      platform: d.platform,
      type: d.type,
      sourceEventId: d.sourceEventId,
      broadcasterId: d.broadcasterId,
      actorId: d.actor.id,
      actorName: d.actor.name,
      actorAvatarUrl: d.actor.avatarUrl,
      amount: d.amount === null ? null : d.amount.toFixed(2),
      currency: d.currency,
      bits: d.bits,
      months: d.months,
      count: d.count,
      viewers: d.viewers,
      tier: d.tier,
      message: d.message,
      occurredAt: new Date(d.occurredAt),
    })),
  );
  const rows = await deps.db
    .insert(inbox)
    .values(values)
    .onConflictDoNothing({ target: [inbox.tenantId, inbox.platform, inbox.sourceEventId] })
    .returning();
  const items = rows.map(inboxItemOf);
  const byTenant = new Map<string, api.InboxItem[]>();
  for (const item of items) {
    const tenantId = rows.find((r) => r.id === item.id)?.tenantId as string;
    byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), item]);
  }
  const publish = async (tenantId: string, list: api.InboxItem[]) => {
    try {
      await getInboxFeedByName(deps.feeds, tenantId).publish(list);
    } catch (err) {
      deps.logger.warn("inbox: live push failed; the list still has the items", { tenantId, err });
    }
  };
  await Promise.all([...byTenant].map(([tenantId, list]) => publish(tenantId, list)));
  return items;
}

// ---- the list ------------------------------------------------------------------------------------------

function encodeCursor(r: { occurredAt: Date; id: string }): string {
  return btoa(`${r.occurredAt.toISOString()}|${r.id}`).replace(/=+$/, "");
}

function decodeCursor(cursor: string): { at: string; id: string } {
  let text: string;
  try {
    text = atob(cursor);
  } catch {
    throw new AppError("BAD_REQUEST", "Invalid cursor");
  }
  const [at, id] = text.split("|");
  if (!at || !id || Number.isNaN(Date.parse(at)) || !/^inb_[0-9a-z]{16}$/.test(id)) throw new AppError("BAD_REQUEST", "Invalid cursor");
  return { at, id };
}

/** `%`, `_` and `\` in the search are literal, not wildcards. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function unreadCount(db: Db, tenantId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(inbox).where(and(eq(inbox.tenantId, tenantId), isNull(inbox.readAt)));
  return row?.n ?? 0;
}

export async function listInbox(db: Db, tenantId: string, query: api.InboxListQuery): Promise<api.InboxPage> {
  const where: SQL[] = [eq(inbox.tenantId, tenantId)];
  if (query.platform?.length) where.push(inArray(inbox.platform, query.platform));
  if (query.type?.length) where.push(inArray(inbox.type, query.type));
  if (query.unread === "true") where.push(isNull(inbox.readAt));
  if (query.unread === "false") where.push(isNotNull(inbox.readAt));
  if (query.q) {
    const pattern = likePattern(query.q);
    where.push(or(ilike(inbox.actorName, pattern), ilike(inbox.message, pattern)) as SQL);
  }
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    where.push(sql`(${inbox.occurredAt}, ${inbox.id}) < (${c.at}::timestamptz, ${c.id})`);
  }
  const rows = await db
    .select()
    .from(inbox)
    .where(and(...where))
    .orderBy(desc(inbox.occurredAt), desc(inbox.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { items: page.map(inboxItemOf), nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null, unread: await unreadCount(db, tenantId) };
}

// ---- read state ----------------------------------------------------------------------------------------

/** Ids of another tenant simply match nothing. */
export async function markInbox(db: Db, tenantId: string, ids: readonly string[], read: boolean, now: Date): Promise<api.InboxMarked> {
  const rows = await db
    .update(inbox)
    .set({ readAt: read ? now : null })
    .where(and(eq(inbox.tenantId, tenantId), inArray(inbox.id, [...ids]), read ? isNull(inbox.readAt) : isNotNull(inbox.readAt)))
    .returning({ id: inbox.id });
  return { updated: rows.length, unread: await unreadCount(db, tenantId) };
}

export async function markAllInboxRead(db: Db, tenantId: string, before: Date, now: Date): Promise<api.InboxMarked> {
  const rows = await db
    .update(inbox)
    .set({ readAt: now })
    .where(and(eq(inbox.tenantId, tenantId), isNull(inbox.readAt), lte(inbox.occurredAt, before)))
    .returning({ id: inbox.id });
  return { updated: rows.length, unread: await unreadCount(db, tenantId) };
}

// ---- retention -----------------------------------------------------------------------------------------

export async function readInboxSettings(db: Db, tenantId: string): Promise<api.InboxSettings> {
  const [row] = await db.select().from(inboxSettings).where(eq(inboxSettings.tenantId, tenantId)).limit(1);
  return { retentionDays: row?.retentionDays ?? DEFAULT_INBOX_RETENTION_DAYS };
}

export async function writeInboxSettings(db: Db, tenantId: string, settings: api.InboxSettings, now: Date): Promise<api.InboxSettings> {
  await db
    .insert(inboxSettings)
    .values({ tenantId, retentionDays: settings.retentionDays, updatedAt: now })
    .onConflictDoUpdate({ target: inboxSettings.tenantId, set: { retentionDays: settings.retentionDays, updatedAt: now } });
  return settings;
}

/** Deletes notifications older than each tenant's retention (default 90 days); one statement for all tenants. */
export async function purgeExpiredInbox(db: Db, now: Date): Promise<number> {
  const rows = await db
    .delete(inbox)
    .where(
      sql`${inbox.occurredAt} < ${now.toISOString()}::timestamptz - make_interval(days => coalesce((select ${inboxSettings.retentionDays} from ${inboxSettings} where ${inboxSettings.tenantId} = ${inbox.tenantId}), ${DEFAULT_INBOX_RETENTION_DAYS}))`,
    )
    .returning({ id: inbox.id });
  return rows.length;
}
