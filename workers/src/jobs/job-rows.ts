// Job rows in Postgres: how the API and the AgentHub read and write dashboard.jobs.
import { type api, jobs } from "@nebula/schema";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { iso } from "../http/respond.ts";
import type { DispatchedJob, JobOutcome } from "./job-outcome.ts";

export type JobRow = typeof jobs.$inferSelect;

export function presentJob(row: JobRow): api.Job {
  return {
    id: row.id,
    agentId: row.agentId,
    kind: row.kind,
    params: row.params,
    status: row.status,
    requestedBy: { id: row.requestedBy, name: row.requestedByName },
    createdAt: iso(row.createdAt),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    deadlineAt: iso(row.deadlineAt),
    result: row.result ?? null,
    error: row.error ?? null,
  };
}

const UNFINISHED = ["queued", "running"] as const;

/**
 * The hub's one write per job. Idempotent on the job id: an upsert that changes only an unfinished row, so a
 * retried or repeated write never overwrites the first ending, and it works even if the queued row is missing.
 */
export async function recordJobEnd(db: Db, job: DispatchedJob, outcome: JobOutcome, startedAt: number | null): Promise<void> {
  await db
    .insert(jobs)
    .values({
      id: job.id,
      tenantId: job.tenantId,
      agentId: job.agentId,
      kind: job.kind,
      params: job.params,
      status: outcome.status,
      requestedBy: job.requestedBy.id,
      requestedByName: job.requestedBy.name,
      createdAt: new Date(job.createdAt),
      startedAt: startedAt === null ? null : new Date(startedAt),
      finishedAt: new Date(outcome.finishedAt),
      deadlineAt: new Date(job.deadline),
      result: outcome.result ?? null,
      error: outcome.error,
    })
    .onConflictDoUpdate({
      target: jobs.id,
      set: {
        status: sql`excluded.status`,
        startedAt: sql`coalesce(${jobs.startedAt}, excluded.started_at)`,
        finishedAt: sql`excluded.finished_at`,
        result: sql`excluded.result`,
        error: sql`excluded.error`,
      },
      setWhere: inArray(jobs.status, [...UNFINISHED]),
    });
}

/** Ends a job the hub never took (agent offline) or no longer knows; a no-op on a finished row. */
export async function endUnfinishedJob(db: Db, jobId: string, outcome: JobOutcome): Promise<void> {
  await db
    .update(jobs)
    .set({ status: outcome.status, error: outcome.error, result: outcome.result ?? null, finishedAt: new Date(outcome.finishedAt) })
    .where(and(eq(jobs.id, jobId), inArray(jobs.status, [...UNFINISHED])));
}
