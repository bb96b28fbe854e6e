// Reading the audit log newest first, with a keyset cursor (created_at, id) so paging is stable under inserts.
import { auditLog } from "@nebula/schema";
import type { api } from "@nebula/schema";
import { and, desc, eq, lt, or } from "drizzle-orm";
import type { z } from "zod";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { iso } from "../http/respond.ts";

function encodeCursor(createdAt: Date, id: string): string {
  return btoa(`${createdAt.toISOString()}|${id}`).replace(/=+$/, "");
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const bad = new AppError("BAD_REQUEST", "Invalid cursor");
  let raw: string;
  try {
    raw = atob(cursor);
  } catch {
    throw bad;
  }
  const [at, id] = raw.split("|");
  const createdAt = new Date(at ?? "");
  if (!id || Number.isNaN(createdAt.getTime())) throw bad;
  return { createdAt, id };
}

export async function readAuditLog(db: Db, tenantId: string, q: z.output<typeof api.AuditQuery>): Promise<api.AuditPage> {
  const conditions = [eq(auditLog.tenantId, tenantId)];
  if (q.action) conditions.push(eq(auditLog.action, q.action));
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    const older = or(lt(auditLog.createdAt, c.createdAt), and(eq(auditLog.createdAt, c.createdAt), lt(auditLog.id, c.id)));
    if (older) conditions.push(older);
  }
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      id: r.id,
      actorId: r.actorId,
      actorName: r.actorName,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      result: r.result,
      details: r.details,
      createdAt: iso(r.createdAt),
    })),
    nextCursor: rows.length > q.limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}
