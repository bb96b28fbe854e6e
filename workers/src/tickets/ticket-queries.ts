// The dashboard's reads: the ticket list (search by subject, opener or number; filters by status, category and
// claimer; keyset pages by number), one ticket with its stored transcript, and stats (counts, median first staff
// response and resolution times, ratings) for the guild and per category.
import { type api, ticketMessages, tickets } from "@nebula/schema";
import { type SQL, and, asc, desc, eq, ilike, isNull, lt, or, sql } from "drizzle-orm";
import type { z } from "zod";
import type { Db } from "../db/client.ts";
import { iso } from "../http/respond.ts";
import { type TicketRow, ticketOfTenant } from "./ticket-rows.ts";

export function ticketSummary(t: TicketRow): api.TicketSummary {
  return {
    id: t.id,
    number: t.number,
    guildId: t.guildId,
    categoryId: t.categoryId,
    categoryName: t.categoryName,
    kind: t.kind,
    threadId: t.threadId,
    subject: t.subject,
    openerId: t.openerId,
    openerName: t.openerName,
    status: t.status,
    claimedById: t.claimedById,
    claimedByName: t.claimedByName,
    openedAt: iso(t.openedAt),
    lastActivityAt: iso(t.lastActivityAt),
    firstStaffResponseAt: iso(t.firstStaffResponseAt),
    closedAt: iso(t.closedAt),
    closeReason: t.closeReason,
    rating: t.rating,
  };
}

/** LIKE wildcards in a search are literal text. */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function listTickets(db: Db, tenantId: string, guildId: string, q: z.output<typeof api.TicketListQuery>): Promise<z.input<typeof api.TicketPage>> {
  const where: (SQL | undefined)[] = [eq(tickets.tenantId, tenantId), eq(tickets.guildId, guildId)];
  if (q.status) where.push(eq(tickets.status, q.status));
  if (q.categoryId) where.push(eq(tickets.categoryId, q.categoryId));
  if (q.claimedBy) where.push(q.claimedBy === "none" ? isNull(tickets.claimedById) : eq(tickets.claimedById, q.claimedBy));
  if (q.cursor) where.push(lt(tickets.number, q.cursor));
  if (q.q) {
    const text = q.q;
    const number = /^#?(\d{1,9})$/.exec(text)?.[1];
    const pattern = `%${likeEscape(text)}%`;
    where.push(
      or(
        ilike(tickets.subject, pattern),
        ilike(tickets.openerName, pattern),
        eq(tickets.openerId, text),
        ...(number ? [eq(tickets.number, Number(number))] : []),
      ),
    );
  }
  const rows = await db
    .select()
    .from(tickets)
    .where(and(...where))
    .orderBy(desc(tickets.number))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  return { items: page.map(ticketSummary), nextCursor: rows.length > q.limit ? (page[page.length - 1]?.number ?? null) : null };
}

export async function transcriptOf(db: Db, ticketId: string) {
  return db.select().from(ticketMessages).where(eq(ticketMessages.ticketId, ticketId)).orderBy(asc(ticketMessages.sentAt), asc(ticketMessages.messageId));
}

export async function ticketDetail(db: Db, tenantId: string, guildId: string, ticketId: string): Promise<api.TicketDetail> {
  const t = await ticketOfTenant(db, tenantId, guildId, ticketId);
  const messages = await transcriptOf(db, t.id);
  return {
    ...ticketSummary(t),
    answers: t.answers,
    closedByName: t.closedByName,
    transcriptTruncated: t.transcriptTruncated,
    transcript: messages.map((m) => ({
      id: m.messageId,
      authorId: m.authorId,
      authorName: m.authorName,
      authorBot: m.authorBot,
      content: m.content,
      embedText: m.embedText,
      attachments: m.attachments,
      sentAt: iso(m.sentAt),
    })),
  };
}

interface StatsSqlRow extends Record<string, unknown> {
  category_id: string | null;
  category_name: string | null;
  count: number | string;
  open: number | string;
  closed: number | string;
  first_response: number | string | null;
  resolution: number | string | null;
  rating: number | string | null;
  ratings: number | string;
}

const num = (v: number | string | null) => (v === null ? null : Number(v));

export async function ticketStats(db: Db, tenantId: string, guildId: string, since: Date | null): Promise<api.TicketStats> {
  const t = tickets;
  const sinceSql = since ? sql`and ${t.openedAt} >= ${since.toISOString()}::timestamptz` : sql``;
  // GROUPING SETS: the guild's totals (category NULL, grouping 1) and each category in one pass.
  const result = await db.execute<StatsSqlRow & { total: number | string }>(sql`
    select ${t.categoryId} as category_id, max(${t.categoryName}) as category_name,
      grouping(${t.categoryId}) as total,
      count(*) as count,
      count(*) filter (where ${t.status} = 'open') as open,
      count(*) filter (where ${t.status} = 'closed') as closed,
      percentile_cont(0.5) within group (order by extract(epoch from ${t.firstStaffResponseAt} - ${t.openedAt})) as first_response,
      percentile_cont(0.5) within group (order by extract(epoch from ${t.closedAt} - ${t.openedAt})) filter (where ${t.status} = 'closed') as resolution,
      avg(${t.rating}) as rating,
      count(${t.rating}) as ratings
    from ${t}
    where ${t.tenantId} = ${tenantId} and ${t.guildId} = ${guildId} ${sinceSql}
    group by grouping sets ((), (${t.categoryId}))
  `);
  const rows = result.rows;
  const shape = (r: StatsSqlRow | undefined) => ({
    count: Number(r?.count ?? 0),
    open: Number(r?.open ?? 0),
    closed: Number(r?.closed ?? 0),
    medianFirstResponseSeconds: num(r?.first_response ?? null),
    medianResolutionSeconds: num(r?.resolution ?? null),
    averageRating: r?.rating === null || r?.rating === undefined ? null : Math.round(Number(r.rating) * 100) / 100,
    ratings: Number(r?.ratings ?? 0),
  });
  const total = rows.find((r) => Number(r.total) === 1);
  return {
    ...shape(total),
    categories: rows
      .filter((r) => Number(r.total) === 0)
      .map((r) => ({ ...shape(r), categoryId: r.category_id, categoryName: r.category_name ?? "(deleted category)" }))
      .sort((a, b) => b.count - a.count),
  };
}
