// Jobs run on home agents: one row per request, written queued by the API and finished once by the agent's hub.
import { index, jsonb, text } from "drizzle-orm/pg-core";
import { JOB_STATUSES, type JobError } from "../api/jobs.ts";
import { agents } from "../core/agents.ts";
import { at, createdAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { dashboard } from "./columns.ts";

export const jobs = dashboard.table(
  "jobs",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
    agentId: text("agent_id").notNull().references(() => agents.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    /** Already parsed against the kind's schema (defaults filled in), exactly what the agent received. */
    params: jsonb("params").$type<unknown>().notNull(),
    status: text("status", { enum: JOB_STATUSES }).notNull(),
    /** A user id or `token:<id>`, as the audit log names callers. */
    requestedBy: text("requested_by").notNull(),
    requestedByName: text("requested_by_name").notNull(),
    createdAt: createdAt(),
    startedAt: at("started_at"),
    finishedAt: at("finished_at"),
    deadlineAt: at("deadline_at").notNull(),
    result: jsonb("result").$type<unknown>(),
    error: jsonb("error").$type<JobError>(),
  },
  (t) => [index("jobs_agent_created_idx").on(t.agentId, t.createdAt, t.id), index("jobs_tenant_created_idx").on(t.tenantId, t.createdAt)],
);
