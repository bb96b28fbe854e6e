// Hourly metric rollups, pushed in batches by each AgentHub's alarm: raw samples and minute rollups stay in the hub.
import { doublePrecision, index, integer, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { agents } from "../core/agents.ts";
import { tenants } from "../core/tenants.ts";
import { dashboard } from "./columns.ts";

export const metricRollupsHourly = dashboard.table(
  "metric_rollups_hourly",
  {
    tenantId: text("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
    agentId: text("agent_id").notNull().references(() => agents.id, { onDelete: "cascade" }),
    metric: text("metric").notNull(),
    /** Start of the hour (UTC). */
    hour: timestamp("hour", { withTimezone: true, mode: "date" }).notNull(),
    min: doublePrecision("min").notNull(),
    max: doublePrecision("max").notNull(),
    avg: doublePrecision("avg").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.metric, t.hour] }), index("metric_rollups_hourly_tenant_idx").on(t.tenantId)],
);
