// Alert rules of a tenant: a condition (validated by api.AlertCondition), the host it watches (null: every host)
// and where it notifies. A webhook URL holds a token, so it is sealed in core.secrets (`alerts.webhook:<ruleId>`);
// this row keeps only the secret's name and a masked form.
import { boolean, index, jsonb, text } from "drizzle-orm/pg-core";
import type { AlertCondition, StoredDestination } from "../api/alerts.ts";
import { agents } from "../core/agents.ts";
import { createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { dashboard } from "./columns.ts";

export const alertRules = dashboard.table(
  "alert_rules",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    rule: jsonb("rule").$type<AlertCondition>().notNull(),
    agentId: text("agent_id").references(() => agents.id, { onDelete: "cascade" }),
    destination: jsonb("destination").$type<StoredDestination>().notNull(),
    /** A user id or `token:<id>`, as the audit log names callers. */
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("alert_rules_tenant_idx").on(t.tenantId, t.createdAt)],
);
