// The audit log: one row per state-changing action (who, what, target, result).
import { index, jsonb, text } from "drizzle-orm/pg-core";
import { core, createdAt } from "./columns.ts";
import { tenants } from "./tenants.ts";

export const auditLog = core.table(
  "audit_log",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
    /** A user id, `token:<id>`, `agent:<id>` or `system`; kept as text so history survives deletions. */
    actorId: text("actor_id").notNull(),
    actorName: text("actor_name").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    result: text("result", { enum: ["success", "failure"] }).notNull(),
    details: jsonb("details").$type<Record<string, unknown>>(),
    requestId: text("request_id"),
    createdAt: createdAt(),
  },
  (t) => [index("audit_log_tenant_created_idx").on(t.tenantId, t.createdAt)],
);
