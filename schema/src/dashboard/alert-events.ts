// Alert history: one row per transition (firing, resolved, unknown), written in batches by the AgentHub that
// evaluated it, only when a transition happens. Rows outlive their rule (no foreign key on rule_id).
import { boolean, doublePrecision, index, text, timestamp } from "drizzle-orm/pg-core";
import { ALERT_EVENT_TRANSITIONS } from "../api/alerts.ts";
import { agents } from "../core/agents.ts";
import { tenants } from "../core/tenants.ts";
import { dashboard } from "./columns.ts";

export const alertEvents = dashboard.table(
  "alert_events",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
    ruleId: text("rule_id").notNull(),
    agentId: text("agent_id").notNull().references(() => agents.id, { onDelete: "cascade" }),
    /** The concrete metric ("disk./mnt/nas.used_pct"). */
    subject: text("subject").notNull(),
    transition: text("transition", { enum: ALERT_EVENT_TRANSITIONS }).notNull(),
    value: doublePrecision("value"),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
    notified: boolean("notified").notNull(),
  },
  (t) => [index("alert_events_tenant_at_idx").on(t.tenantId, t.at, t.id)],
);
