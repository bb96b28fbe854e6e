// Host metrics for charts: recent ranges come from the agent's hub (raw samples for 1 h, minute rollups for 24 h
// and 7 d, the week merged to at most 1,000 points), longer ones from the hourly rollups in Postgres.
import { api } from "@nebula/schema";
import type { z } from "zod";
import { agentInTenant } from "../agents/agents.ts";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import { readHourlyRollups } from "./hourly-rollups.ts";
import { HOUR_MS } from "./metric-store.ts";

export const RANGE_MS: Record<api.MetricRange, number> = { "1h": HOUR_MS, "24h": 24 * HOUR_MS, "7d": 7 * 24 * HOUR_MS, "30d": 30 * 24 * HOUR_MS };

export async function readMetrics(
  db: Db,
  hubs: Env["AGENT_HUB"],
  tenantId: string,
  agentId: string,
  query: z.output<typeof api.MetricsQuery>,
  now: Date,
): Promise<api.MetricsResponse> {
  await agentInTenant(db, tenantId, agentId);
  const to = now.getTime();
  const from = to - RANGE_MS[query.range];
  const hub = hubs.getByName(agentId);
  const { names, range } = query;
  switch (range) {
    case "1h":
      return { range, resolution: "raw", from, to, series: await hub.series(names, from, to, "raw") };
    case "24h":
      return { range, resolution: "1m", from, to, series: await hub.series(names, from, to, "1m") };
    case "7d":
      return { range, resolution: "1m", from, to, series: await hub.series(names, from, to, "1m", api.MAX_SERIES_POINTS) };
    case "30d":
      return { range, resolution: "1h", from, to, series: await readHourlyRollups(db, tenantId, agentId, names, from, to) };
  }
}
