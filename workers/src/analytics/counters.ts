// Counting analytics events exactly once. One statement per call: remember each event id in analytics_events_seen
// (ON CONFLICT DO NOTHING), and for the ids that were new, add to the (guild, day, metric, key) counters with
// ON CONFLICT DO UPDATE count = count + n. Because both happen in one statement, a queue redelivery, a replayed
// gateway dispatch or a retry after a crash can never count an event twice or lose one. Events of guilds that are
// not linked to a tenant are remembered but not counted.
import { type AnalyticsMetric, analyticsDaily, analyticsEventsSeen, guilds } from "@nebula/schema";
import { lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";

/** Longer than any queue retry (5 attempts, ≤ 5 min apart) or gateway replay; then the id may be forgotten. */
export const ANALYTICS_SEEN_DAYS = 7;

export interface CountedEvent {
  /** Unique per event: the gateway event id, or `cmd:<interaction id>`. */
  eventId: string;
  guildId: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  metric: AnalyticsMetric;
  /** Channel id (messages), command name (commands), '' otherwise. */
  key: string;
}

/** The UTC day of an ISO timestamp; `fallback` (now) when the timestamp is missing or not a date. */
export function utcDay(at: string | null | undefined, fallback: Date): string {
  const t = at ? Date.parse(at) : Number.NaN;
  return new Date(Number.isNaN(t) ? fallback.getTime() : t).toISOString().slice(0, 10);
}

/** Counts the events not counted before; returns how many were new. Takes a batch, so a caller may flush many at once. */
export async function countEvents(db: Db, events: readonly CountedEvent[]): Promise<number> {
  const unique = [...new Map(events.map((e) => [e.eventId, e])).values()];
  if (unique.length === 0) return 0;
  const rows = sql.join(
    unique.map((e) => sql`(${e.eventId}::text, ${e.guildId}::text, ${e.day}::date, ${e.metric}::text, ${e.key}::text)`),
    sql`, `,
  );
  const result = await db.execute<{ n: number }>(sql`
    WITH input(event_id, guild_id, day, metric, key) AS (VALUES ${rows}),
    fresh AS (
      INSERT INTO ${analyticsEventsSeen} (event_id, guild_id, seen_at)
      SELECT event_id, guild_id, now() FROM input
      ON CONFLICT (event_id) DO NOTHING
      RETURNING event_id
    ),
    counted AS (
      INSERT INTO ${analyticsDaily} AS d (tenant_id, guild_id, day, metric, key, count)
      SELECT g.tenant_id, i.guild_id, i.day, i.metric, i.key, count(*)
      FROM input i
      JOIN fresh f ON f.event_id = i.event_id
      JOIN ${guilds} g ON g.guild_id = i.guild_id AND g.removed_at IS NULL
      GROUP BY g.tenant_id, i.guild_id, i.day, i.metric, i.key
      ON CONFLICT (guild_id, day, metric, key) DO UPDATE SET count = d.count + EXCLUDED.count, tenant_id = EXCLUDED.tenant_id
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM fresh)::int AS n
  `);
  return Number(result.rows[0]?.n ?? 0);
}

/** Forgets event ids older than ANALYTICS_SEEN_DAYS (the hourly cron job). */
export async function purgeSeenEvents(db: Db, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - ANALYTICS_SEEN_DAYS * 24 * 3600_000);
  const deleted = await db.delete(analyticsEventsSeen).where(lt(analyticsEventsSeen.seenAt, cutoff)).returning({ id: analyticsEventsSeen.eventId });
  return deleted.length;
}
