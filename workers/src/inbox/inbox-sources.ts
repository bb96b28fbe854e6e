// A tenant's platform channels whose events land in its inbox (until platform connections name them): add, list,
// remove. A channel may belong to several tenants; each gets its own copy of every notification. Each change drops
// the channel's cached recipients (recipients.ts).
import { type api, inboxSources, memberships, newId } from "@nebula/schema";
import { and, desc, eq } from "drizzle-orm";
import type { Caller } from "../audit/audit.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Cache } from "../cache/cache.ts";
import type { Db } from "../db/client.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import { forgetInboxRecipients } from "./recipients.ts";

type Row = typeof inboxSources.$inferSelect;

const present = (r: Row): api.InboxSourceView => ({
  id: r.id,
  platform: r.platform,
  broadcasterId: r.broadcasterId,
  streamerUserId: r.streamerUserId,
  createdAt: r.createdAt.toISOString(),
});

export async function listInboxSources(db: Db, tenantId: string): Promise<api.InboxSourceView[]> {
  const rows = await db.select().from(inboxSources).where(eq(inboxSources.tenantId, tenantId)).orderBy(desc(inboxSources.createdAt)).limit(200);
  return rows.map(present);
}

export async function addInboxSource(
  { db, cache }: { db: Db; cache: Cache },
  tenantId: string,
  actor: Caller,
  input: { platform: Row["platform"]; broadcasterId: string; streamerUserId?: string | null | undefined },
  requestId: string,
): Promise<api.InboxSourceView> {
  const streamerUserId = input.streamerUserId ?? null;
  if (streamerUserId) {
    const [member] = await db.select({ id: memberships.id }).from(memberships).where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, streamerUserId))).limit(1);
    if (!member) throw new AppError("BAD_REQUEST", "The streamer must be a member of this tenant");
  }
  const [row] = await db
    .insert(inboxSources)
    .values({ id: newId("inboxSource"), tenantId, platform: input.platform, broadcasterId: input.broadcasterId, streamerUserId })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new AppError("CONFLICT", "This channel already feeds the inbox");
  await forgetInboxRecipients(cache, row.platform, row.broadcasterId);
  await recordAudit(db, actor, { tenantId, action: "inbox_source.create", targetType: "inbox_source", targetId: row.id, details: { platform: row.platform, broadcasterId: row.broadcasterId } }, requestId);
  return present(row);
}

export async function removeInboxSource({ db, cache }: { db: Db; cache: Cache }, tenantId: string, actor: Caller, id: string, requestId: string): Promise<void> {
  const [row] = await db.delete(inboxSources).where(and(eq(inboxSources.id, id), eq(inboxSources.tenantId, tenantId))).returning();
  if (!row) throw notFound("Inbox source");
  await forgetInboxRecipients(cache, row.platform, row.broadcasterId);
  await recordAudit(db, actor, { tenantId, action: "inbox_source.delete", targetType: "inbox_source", targetId: id, details: { platform: row.platform, broadcasterId: row.broadcasterId } }, requestId);
}
