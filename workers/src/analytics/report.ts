// A guild's analytics for a range of UTC days: the daily counters (joins, leaves, messages per channel, commands),
// plus go-live notifications and tickets read from their own tables. Every series is zero-filled, one value per day.
import { type AnalyticsMetric, analyticsDaily, api, streamSessions, tickets, trackedStreamers } from "@nebula/schema";
import { and, between, eq, gte, isNotNull, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";

const DAY_MS = 24 * 3600_000;

export interface DayRange {
  from: string;
  to: string;
  days: string[];
}

const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

/** `range` counts back from today (UTC) inclusive; from/to default to the 30 days ending today. At most 90 days. */
export function resolveRange(q: api.AnalyticsQuery, now: Date): DayRange {
  const today = dayOf(now.getTime());
  const span = q.range ? api.ANALYTICS_RANGES[q.range] : 30;
  const to = q.to ?? (q.from && !q.range ? dayOf(Math.min(Date.parse(q.from) + (span - 1) * DAY_MS, now.getTime())) : today);
  const from = q.from ?? dayOf(Date.parse(to) - (span - 1) * DAY_MS);
  const count = Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1;
  if (count < 1) throw new AppError("BAD_REQUEST", "from must not be after to", { details: { from, to } });
  if (count > api.MAX_ANALYTICS_DAYS) throw new AppError("BAD_REQUEST", `At most ${api.MAX_ANALYTICS_DAYS} days at a time`, { details: { from, to, days: count } });
  return { from, to, days: Array.from({ length: count }, (_, i) => dayOf(Date.parse(from) + i * DAY_MS)) };
}

type Keyed = Map<string, number[]>;

function seriesBy(range: DayRange, rows: readonly { day: string; key: string; count: number }[]): Keyed {
  const index = new Map(range.days.map((d, i) => [d, i]));
  const out: Keyed = new Map();
  for (const r of rows) {
    const i = index.get(r.day);
    if (i === undefined) continue;
    let s = out.get(r.key);
    if (!s) {
      s = new Array(range.days.length).fill(0);
      out.set(r.key, s);
    }
    s[i] = (s[i] ?? 0) + Number(r.count);
  }
  return out;
}

const zeros = (range: DayRange) => new Array<number>(range.days.length).fill(0);
const sum = (s: readonly number[]) => s.reduce((a, b) => a + b, 0);
const add = (a: number[], b: readonly number[]) => a.map((v, i) => v + (b[i] ?? 0));

function ranked(series: Keyed, top: number): { top: api.GuildAnalytics["commands"]; rest: number[] | null } {
  const all = [...series.entries()].map(([key, s]) => ({ key, total: sum(s), series: s })).sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
  const rest = all.slice(top).reduce<number[] | null>((acc, e) => (acc ? add(acc, e.series) : [...e.series]), null);
  return { top: all.slice(0, top), rest };
}

async function counters(db: Db, tenantId: string, guildId: string, range: DayRange) {
  const rows = await db
    .select({ day: analyticsDaily.day, metric: analyticsDaily.metric, key: analyticsDaily.key, count: analyticsDaily.count })
    .from(analyticsDaily)
    .where(and(eq(analyticsDaily.tenantId, tenantId), eq(analyticsDaily.guildId, guildId), between(analyticsDaily.day, range.from, range.to)));
  const of = (metric: AnalyticsMetric) => rows.filter((r) => r.metric === metric);
  return { of };
}

/** Timestamps in [from 00:00, to+1 00:00) UTC, grouped by UTC day. */
function dayBounds(range: DayRange): [Date, Date] {
  return [new Date(`${range.from}T00:00:00Z`), new Date(Date.parse(`${range.to}T00:00:00Z`) + DAY_MS)];
}
const utcDate = (col: unknown) => sql<string>`to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;

async function goLiveSeries(db: Db, tenantId: string, guildId: string, range: DayRange): Promise<number[]> {
  const [start, end] = dayBounds(range);
  const day = utcDate(streamSessions.startedAt);
  const rows = await db
    .select({ day, count: sql<number>`count(*)::int` })
    .from(streamSessions)
    .innerJoin(trackedStreamers, eq(trackedStreamers.id, streamSessions.streamerId))
    .where(
      and(
        eq(streamSessions.tenantId, tenantId),
        eq(trackedStreamers.guildId, guildId),
        isNotNull(streamSessions.notificationOutboxId),
        gte(streamSessions.startedAt, start),
        lt(streamSessions.startedAt, end),
      ),
    )
    .groupBy(day);
  return seriesBy(range, rows.map((r) => ({ ...r, key: "" }))).get("") ?? zeros(range);
}

async function ticketSeries(db: Db, tenantId: string, guildId: string, range: DayRange): Promise<{ opened: number[]; closed: number[] }> {
  const [start, end] = dayBounds(range);
  const seriesOf = async (column: typeof tickets.openedAt | typeof tickets.closedAt) => {
    const day = utcDate(column);
    const rows = await db
      .select({ day, count: sql<number>`count(*)::int` })
      .from(tickets)
      .where(and(eq(tickets.tenantId, tenantId), eq(tickets.guildId, guildId), gte(column, start), lt(column, end)))
      .groupBy(day);
    return seriesBy(range, rows.map((r) => ({ ...r, key: "" }))).get("") ?? zeros(range);
  };
  return { opened: await seriesOf(tickets.openedAt), closed: await seriesOf(tickets.closedAt) };
}

export async function guildAnalytics(db: Db, tenantId: string, guildId: string, range: DayRange): Promise<api.GuildAnalytics> {
  const { of } = await counters(db, tenantId, guildId, range);
  const joins = seriesBy(range, of("joins")).get("") ?? zeros(range);
  const leaves = seriesBy(range, of("leaves")).get("") ?? zeros(range);
  const channels = ranked(seriesBy(range, of("messages")), api.ANALYTICS_TOP_N);
  const commands = ranked(seriesBy(range, of("commands")), api.ANALYTICS_TOP_N);
  const other = channels.rest ?? zeros(range);
  return {
    guildId,
    from: range.from,
    to: range.to,
    granularity: "day",
    days: range.days,
    joins,
    leaves,
    net: joins.map((j, i) => j - (leaves[i] ?? 0)),
    messages: { total: channels.top.reduce((acc, c) => add(acc, c.series), other), channels: channels.top, other },
    commands: commands.top,
    goLive: await goLiveSeries(db, tenantId, guildId, range),
    tickets: await ticketSeries(db, tenantId, guildId, range),
  };
}
