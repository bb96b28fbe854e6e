// Jobs on home agents: run (allowlisted kind, the kind's own role, one audit row), list an agent's history, read
// one, cancel, and open a live follow of one. The agent's AgentHub relays the job and records its end. Quick reads
// (job-history.ts) skip both rows and, with the agent's tenant cached, never wait on Postgres.
import { agentWire, type api, jobs, newId, roleAtLeast } from "@nebula/schema";
import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import type { z } from "zod";
import { agentInTenant } from "../agents/agents.ts";
import { type Caller, recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import type { TenantAccess } from "../http/context.ts";
import type { JobNotify } from "./job-notify.ts";
import { authCache } from "../auth/auth-cache.ts";
import { isUnrecordedRead } from "./job-history.ts";
import { type DispatchAndWaitAnswer, type DispatchAnswer, type DispatchedJob, type JobOutcome, isFinished } from "./job-outcome.ts";
import { endUnfinishedJob, type JobRow, presentJob } from "./job-rows.ts";

type Hubs = Env["AGENT_HUB"];
type JobKind = agentWire.JobKind;
const { JOB_KINDS, DEFAULT_JOB_TIMEOUT_MS, parseJob } = agentWire;

/**
 * The agent check, the queued job row and its audit row in ONE statement: a job request is on the hot path of
 * every dashboard action, and each round trip to Postgres (five for a select plus a transaction) adds up.
 * Missing or foreign agent: 404; revoked: 409; otherwise both rows are written atomically (one statement).
 */
async function recordJobRequest(db: Db, row: JobRow, caller: Caller, requestId: string): Promise<void> {
  const result = await db.execute<{ name: string; revoked: boolean; inserted: number }>(sql`
    with agent as (
      select name, revoked_at from core.agents where id = ${row.agentId} and tenant_id = ${row.tenantId}
    ), job as (
      insert into dashboard.jobs (id, tenant_id, agent_id, kind, params, status, requested_by, requested_by_name, created_at, deadline_at)
      select ${row.id}, ${row.tenantId}, ${row.agentId}, ${row.kind}, ${JSON.stringify(row.params)}::jsonb, ${row.status},
             ${row.requestedBy}, ${row.requestedByName}, ${row.createdAt.toISOString()}::timestamptz, ${row.deadlineAt.toISOString()}::timestamptz
      from agent where agent.revoked_at is null
      returning id
    ), audit as (
      insert into core.audit_log (id, tenant_id, actor_id, actor_name, action, target_type, target_id, result, details, request_id)
      select ${newId("audit")}, ${row.tenantId}, ${caller.id}, ${caller.name}, ${`job.${row.kind}`}, 'agent', ${row.agentId}, 'success',
             jsonb_build_object('jobId', ${row.id}::text, 'agent', agent.name, 'params', ${JSON.stringify(row.params)}::jsonb), ${requestId}
      from job, agent
      returning id
    )
    select agent.name, agent.revoked_at is not null as revoked, (select count(*)::int from job) as inserted from agent`);
  const [found] = result.rows;
  if (!found) throw notFound("Agent");
  if (found.revoked) throw new AppError("CONFLICT", "This agent was revoked; it can no longer run jobs");
}

const HUB_UNREACHABLE: api.JobError = { code: "unavailable", message: "The agent's connection could not be reached; the job was not sent" };

const HUB_LOST_JOB: api.JobError = { code: "unavailable", message: "The agent's connection was reset before the job answered" };

/** A waiting call gives the agent this much beyond the job's deadline before answering "still running". */
const WAIT_GRACE_MS = 5_000;

export interface RanJob {
  job: api.Job;
  /** False when the caller did not wait, or the job outlived the wait: answered 202. */
  finished: boolean;
}

function requireRole(access: TenantAccess, kind: JobKind, verb: string): void {
  const needed = JOB_KINDS[kind].role;
  if (!roleAtLeast(access.role, needed)) {
    throw new AppError("FORBIDDEN", `Your role (${access.role}) cannot ${verb} ${kind}; it needs ${needed}`, { details: { kind, role: needed } });
  }
}

async function jobRow(db: Db, tenantId: string, jobId: string): Promise<JobRow> {
  const [row] = await db.select().from(jobs).where(and(eq(jobs.id, jobId), eq(jobs.tenantId, tenantId))).limit(1);
  if (!row) throw notFound("Job");
  return row;
}

function withOutcome(row: JobRow, outcome: JobOutcome, startedAt: number | null): JobRow {
  return {
    ...row,
    status: outcome.status,
    startedAt: row.startedAt ?? (startedAt === null ? null : new Date(startedAt)),
    finishedAt: new Date(outcome.finishedAt),
    result: outcome.result ?? null,
    error: outcome.error,
  };
}

export async function runJob(
  db: Db,
  hubs: Hubs,
  access: TenantAccess,
  caller: Caller,
  agentId: string,
  input: z.output<typeof api.RunJobRequest>,
  wait: boolean | undefined,
  now: Date,
  requestId: string,
  options: { notify?: JobNotify } = {},
): Promise<RanJob> {
  const parsed = parseJob(input.kind, input.params);
  if (!parsed.ok) throw new AppError("BAD_REQUEST", parsed.message, { details: { kind: input.kind.slice(0, 60) } });
  requireRole(access, parsed.kind, "run");
  const timeoutMs = input.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
  const dispatched: DispatchedJob = {
    id: newId("job"),
    tenantId: access.tenantId,
    agentId,
    kind: parsed.kind,
    params: parsed.params,
    createdAt: now.getTime(),
    deadline: now.getTime() + timeoutMs,
    requestedBy: { id: caller.id, name: caller.name },
    ...(options.notify ? { notify: options.notify } : {}),
  };
  if (!options.notify && isUnrecordedRead(parsed.kind, wait ?? true)) return runQuickRead(db, hubs, dispatched, timeoutMs);
  let row: JobRow = {
    id: dispatched.id,
    tenantId: access.tenantId,
    agentId,
    kind: parsed.kind,
    params: parsed.params,
    status: "queued",
    requestedBy: caller.id,
    requestedByName: caller.name,
    createdAt: now,
    startedAt: null,
    finishedAt: null,
    deadlineAt: new Date(dispatched.deadline),
    result: null,
    error: null,
  };
  await recordJobRequest(db, row, caller, requestId);

  const hub = hubs.getByName(agentId);
  let answer: DispatchAnswer;
  try {
    answer = await hub.dispatchJob(dispatched);
  } catch (err) {
    // The hub itself failed (overloaded, reset): the job was not sent and must not stay queued forever; the error
    // goes on to onError, which logs it with the request id.
    await endUnfinishedJob(db, row.id, { status: "failed", result: null, error: HUB_UNREACHABLE, finishedAt: now.getTime() });
    throw err;
  }
  if (!answer.accepted) {
    const outcome: JobOutcome = { status: "failed", result: null, error: answer.error, finishedAt: now.getTime() };
    await endUnfinishedJob(db, row.id, outcome);
    return { job: presentJob(withOutcome(row, outcome, null)), finished: true };
  }
  // A fast agent may already have finished it: the update only moves a row that is still queued.
  const markedRunning = db
    .update(jobs)
    .set({ status: "running", startedAt: new Date(answer.startedAt) })
    .where(and(eq(jobs.id, row.id), eq(jobs.status, "queued")))
    .execute();
  row = { ...row, status: "running", startedAt: new Date(answer.startedAt) };

  // Read-only kinds (viewer role) answer with their result by default; state-changing ones return at once.
  if (!(wait ?? JOB_KINDS[parsed.kind].role === "viewer")) {
    await markedRunning;
    return { job: presentJob(row), finished: false };
  }
  // The job runs while the row moves to running: a waiting caller pays for the longer of the two, not both.
  const [outcome] = await Promise.all([hub.waitForJob(row.id, timeoutMs + WAIT_GRACE_MS), markedRunning]);
  if (outcome) return { job: presentJob(withOutcome(row, outcome, answer.startedAt)), finished: true };
  // Unknown to the hub means it already wrote the end; otherwise the job outlived the wait.
  const current = await jobRow(db, access.tenantId, row.id);
  return { job: presentJob(current), finished: isFinished(current.status) };
}

/**
 * The agent of a quick read: this tenant's and not revoked. Its tenant never changes, so a positive answer is kept
 * in the auth cache; a revocation drops the agent's socket at once (agents.ts), so within the cache's TTL a job to a
 * just-revoked agent answers "offline" instead of 409, and never reaches it.
 */
async function assertAgentUsable(db: Db, tenantId: string, agentId: string, now: number): Promise<void> {
  if (authCache.agentTenant(agentId, now) === tenantId) return;
  const agent = await agentInTenant(db, tenantId, agentId);
  if (agent.revokedAt) throw new AppError("CONFLICT", "This agent was revoked; it can no longer run jobs");
  authCache.rememberAgentTenant(agentId, tenantId, now);
}

/**
 * A quick read: no job row, no audit row (it changes nothing; DESIGN: audit every state-changing action), and one
 * call to the hub that dispatches and waits, so an instant answer cannot slip between two calls.
 */
async function runQuickRead(db: Db, hubs: Hubs, job: DispatchedJob, timeoutMs: number): Promise<RanJob> {
  await assertAgentUsable(db, job.tenantId, job.agentId, job.createdAt);
  const base: JobRow = {
    id: job.id,
    tenantId: job.tenantId,
    agentId: job.agentId,
    kind: job.kind,
    params: job.params,
    status: "running",
    requestedBy: job.requestedBy.id,
    requestedByName: job.requestedBy.name,
    createdAt: new Date(job.createdAt),
    startedAt: null,
    finishedAt: null,
    deadlineAt: new Date(job.deadline),
    result: null,
    error: null,
  };
  // Cast: the RPC stub's type maps the outcome's `result: unknown` to never, which erases the accepted branch.
  const answer = (await hubs.getByName(job.agentId).dispatchAndWait({ ...job, recorded: false }, timeoutMs + WAIT_GRACE_MS)) as DispatchAndWaitAnswer;
  if (!answer.accepted) {
    const outcome: JobOutcome = { status: "failed", result: null, error: answer.error, finishedAt: job.createdAt };
    return { job: presentJob(withOutcome(base, outcome, null)), finished: true };
  }
  if (answer.outcome) return { job: presentJob(withOutcome(base, answer.outcome, answer.startedAt)), finished: true };
  // The hub ends every job by its deadline, so this is a hub that lost the job (restarted): say so, do not hang.
  const lost: JobOutcome = { status: "failed", result: null, error: HUB_LOST_JOB, finishedAt: Date.now() };
  return { job: presentJob(withOutcome(base, lost, answer.startedAt)), finished: true };
}

export async function listAgentJobs(
  db: Db,
  tenantId: string,
  agentId: string,
  page: z.output<typeof api.JobListQuery>,
): Promise<api.JobList> {
  await agentInTenant(db, tenantId, agentId);
  const [beforeMs, beforeId] = page.cursor ? (page.cursor.split(".") as [string, string]) : [];
  const before = beforeMs && beforeId ? new Date(Number(beforeMs)) : null;
  const rows = await db
    .select()
    .from(jobs)
    .where(
      and(
        eq(jobs.tenantId, tenantId),
        eq(jobs.agentId, agentId),
        before && beforeId ? or(lt(jobs.createdAt, before), and(eq(jobs.createdAt, before), lt(jobs.id, beforeId))) : undefined,
      ),
    )
    .orderBy(desc(jobs.createdAt), desc(jobs.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return { items: items.map(presentJob), nextCursor: rows.length > page.limit && last ? `${last.createdAt.getTime()}.${last.id}` : null };
}

/**
 * One job as the user sees it. The hub answers followers and waiters before it writes the end to Postgres, so a row
 * that still says queued/running is checked against the hub's stored outcome: what the live view showed, a reload shows.
 */
export async function readJob(db: Db, hubs: Hubs, tenantId: string, jobId: string): Promise<api.Job> {
  return presentJob(await currentJobRow(db, hubs, tenantId, jobId));
}

/** The job's row, with the hub's stored outcome laid over it while the hub has not yet written the end to Postgres. */
async function currentJobRow(db: Db, hubs: Hubs, tenantId: string, jobId: string): Promise<JobRow> {
  const row = await jobRow(db, tenantId, jobId);
  if (isFinished(row.status)) return row;
  const outcome = await hubs.getByName(row.agentId).waitForJob(row.id, 0);
  if (outcome) return withOutcome(row, outcome, row.startedAt?.getTime() ?? null);
  // The hub forgets a job only once its end is in Postgres: it may have done so since the first read.
  return jobRow(db, tenantId, jobId);
}

/**
 * Asks the agent to stop the job (it answers with a `cancelled` result); with the agent gone, or a job the hub no
 * longer holds, the job ends as cancelled at once. Cancelling needs the same role as running the kind.
 */
export async function cancelJob(db: Db, hubs: Hubs, access: TenantAccess, caller: Caller, jobId: string, now: Date, requestId: string): Promise<api.Job> {
  const row = await currentJobRow(db, hubs, access.tenantId, jobId);
  const parsed = parseJob(row.kind, row.params);
  if (parsed.ok) requireRole(access, parsed.kind, "cancel");
  if (isFinished(row.status)) throw new AppError("CONFLICT", `This job already ended (${row.status})`);
  await recordAudit(db, caller, { tenantId: access.tenantId, action: "job.cancel", targetType: "job", targetId: jobId, details: { kind: row.kind, agentId: row.agentId } }, requestId);
  const answer = await hubs.getByName(row.agentId).cancelJob(jobId, `Cancelled by ${caller.name}`);
  if (answer === "unknown") {
    await endUnfinishedJob(db, jobId, { status: "cancelled", result: null, error: { code: "cancelled", message: `Cancelled by ${caller.name}` }, finishedAt: now.getTime() });
  }
  return presentJob(await jobRow(db, access.tenantId, jobId));
}

/** Hands a browser's websocket to the hub, which streams the job's progress, logs and result to it. */
export async function followJob(db: Db, hubs: Hubs, tenantId: string, jobId: string, upgrade: Request): Promise<Response> {
  const row = await jobRow(db, tenantId, jobId);
  if (isFinished(row.status)) throw new AppError("GONE", `This job already ended (${row.status}); read it with GET /jobs/${jobId}`);
  const res = await hubs.getByName(row.agentId).fetch(upgrade);
  if (res.status !== 101) throw new AppError("GONE", `This job already ended; read it with GET /jobs/${jobId}`);
  return res;
}
