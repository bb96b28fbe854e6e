// Hourly rollups in Postgres: written in batches by the hub's alarm (once an hour at most), read for ranges
// longer than the hub keeps minute rollups.
import { type api, metricRollupsHourly } from "@nebula/schema";
import { and, asc, gte, inArray, lte, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import type { HourlyRollup } from "./metric-store.ts";

/** Rows per INSERT: 8 parameters each, well under Postgres' 65,535 bind parameters. */
const ROWS_PER_UPSERT = 500;

/** Overwrites each (agent, metric, hour): the hub recomputes whole hours, so a re-push corrects rather than adds. */
export async function upsertHourlyRollups(db: Db, tenantId: string, agentId: string, rollups: readonly HourlyRollup[]): Promise<void> {
  for (let i = 0; i < rollups.length; i += ROWS_PER_UPSERT) {
    const rows = rollups.slice(i, i + ROWS_PER_UPSERT).map((r) => ({ tenantId, agentId, metric: r.metric, hour: new Date(r.hour), min: r.min, max: r.max, avg: r.avg, count: r.count }));
    await db
      .insert(metricRollupsHourly)
      .values(rows)
      .onConflictDoUpdate({
        target: [metricRollupsHourly.agentId, metricRollupsHourly.metric, metricRollupsHourly.hour],
        set: { min: sql`excluded.min`, max: sql`excluded.max`, avg: sql`excluded.avg`, count: sql`excluded.count` },
      });
  }
}

export async function readHourlyRollups(db: Db, tenantId: string, agentId: string, names: readonly string[], fromMs: number, toMs: number): Promise<api.MetricSeries[]> {
  const rows = await db
    .select({ metric: metricRollupsHourly.metric, hour: metricRollupsHourly.hour, min: metricRollupsHourly.min, max: metricRollupsHourly.max, avg: metricRollupsHourly.avg, count: metricRollupsHourly.count })
    .from(metricRollupsHourly)
    .where(
      and(
        eq(metricRollupsHourly.tenantId, tenantId),
        eq(metricRollupsHourly.agentId, agentId),
        inArray(metricRollupsHourly.metric, [...names]),
        gte(metricRollupsHourly.hour, new Date(Math.floor(fromMs / 3_600_000) * 3_600_000)),
        lte(metricRollupsHourly.hour, new Date(toMs)),
      ),
    )
    .orderBy(asc(metricRollupsHourly.hour));
  return names.map((name) => ({
    name,
    points: rows.filter((r) => r.metric === name).map((r) => ({ t: r.hour.getTime(), min: r.min, max: r.max, avg: r.avg, count: r.count })),
  }));
}
