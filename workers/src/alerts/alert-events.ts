// Alert history: the rows the AgentHubs write in batches when alerts change phase, and the tenant's paged list.
import { alertEvents, alertRules, type api } from "@nebula/schema";
import { and, desc, eq, lt, or } from "drizzle-orm";
import type { z } from "zod";
import type { Db } from "../db/client.ts";
import { iso } from "../http/respond.ts";

export type AlertEventRow = typeof alertEvents.$inferInsert;

/** Written by the hub; ids are made when the transition happens, so a retried batch inserts nothing twice. */
export async function recordAlertEvents(db: Db, rows: readonly AlertEventRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(alertEvents).values([...rows]).onConflictDoNothing({ target: alertEvents.id });
}

export async function listAlertEvents(db: Db, tenantId: string, page: z.output<typeof api.AlertEventsQuery>): Promise<api.AlertEventPage> {
  const [beforeMs, beforeId] = page.cursor ? (page.cursor.split(".") as [string, string]) : [];
  const before = beforeMs && beforeId ? new Date(Number(beforeMs)) : null;
  const rows = await db
    .select({
      id: alertEvents.id,
      ruleId: alertEvents.ruleId,
      ruleName: alertRules.name,
      agentId: alertEvents.agentId,
      subject: alertEvents.subject,
      transition: alertEvents.transition,
      value: alertEvents.value,
      at: alertEvents.at,
      notified: alertEvents.notified,
    })
    .from(alertEvents)
    .leftJoin(alertRules, eq(alertRules.id, alertEvents.ruleId))
    .where(
      and(
        eq(alertEvents.tenantId, tenantId),
        before && beforeId ? or(lt(alertEvents.at, before), and(eq(alertEvents.at, before), lt(alertEvents.id, beforeId))) : undefined,
      ),
    )
    .orderBy(desc(alertEvents.at), desc(alertEvents.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map((r) => ({ ...r, at: iso(r.at) })),
    nextCursor: rows.length > page.limit && last ? `${last.at.getTime()}.${last.id}` : null,
  };
}
