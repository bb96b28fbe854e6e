// What a job is while it runs on an agent and how it ends: shared by the API (which creates it) and the AgentHub
// (which relays it and records the end). Pure, so the mapping of agent results to statuses is unit-tested in Node.
import type { agentWire, api } from "@nebula/schema";

/** "Tell this Discord destination when the job ends" (jobs/job-notify.ts posts it); set by GitHub deploy-on-push. */
export interface JobNotify {
  /** What ran, in the reader's words: "Deploy site (nebula/site@main 1a2b3c4)". */
  title: string;
  /** A link for the message (the pushed commits). */
  url?: string;
  /** Stored form: a webhook URL stays sealed (core.secrets) until the moment of enqueueing. */
  destination: api.StoredDestination;
}

/** What the API hands the hub: the job row's facts, ready to become a JobRequest. */
export interface DispatchedJob {
  id: string;
  tenantId: string;
  agentId: string;
  kind: string;
  params: unknown;
  createdAt: number;
  /** Absolute, epoch milliseconds. */
  deadline: number;
  requestedBy: { id: string; name: string };
  /** Post a message to this destination when the job ends (GitHub deploy-on-push); never sent to the agent. */
  notify?: JobNotify;
  /** False for a quick read (job-history.ts): no row to end, so the hub skips its Postgres write. Absent: true. */
  recorded?: boolean;
}

/** What a caller that dispatched and waited in one call learns: the dispatch answer and, if accepted, the end. */
export type DispatchAndWaitAnswer =
  | { accepted: true; startedAt: number; outcome: JobOutcome | null }
  | { accepted: false; error: api.JobError };

export interface JobOutcome {
  status: api.FinishedJobStatus;
  result: unknown;
  error: api.JobError | null;
  finishedAt: number;
}

export type DispatchAnswer = { accepted: true; startedAt: number } | { accepted: false; error: api.JobError };

export const AGENT_OFFLINE: api.JobError = { code: "unavailable", message: "The agent is offline; the job was not sent" };

export function isFinished(status: api.JobStatus): status is api.FinishedJobStatus {
  return status !== "queued" && status !== "running";
}

/** The agent's job_result as the job's end: its error code names timeouts and cancellations, anything else failed. */
export function outcomeOfResult(message: agentWire.JobResult, finishedAt: number): JobOutcome {
  if (message.ok) return { status: "succeeded", result: message.result ?? null, error: null, finishedAt };
  const status = message.error.code === "timeout" ? "timeout" : message.error.code === "cancelled" ? "cancelled" : "failed";
  return { status, result: null, error: message.error, finishedAt };
}

/** The job_result frame a job-stream watcher receives when the edge, not the agent, ended the job. */
export function resultFrameOf(job: DispatchedJob, outcome: JobOutcome, startedAt: number): agentWire.JobResult {
  const durationMs = Math.max(0, outcome.finishedAt - startedAt);
  if (outcome.status === "succeeded") return { type: "job_result", id: job.id, ok: true, result: outcome.result, durationMs };
  const code = outcome.status === "timeout" ? "timeout" : outcome.status === "cancelled" ? "cancelled" : "failed";
  return { type: "job_result", id: job.id, ok: false, error: { code, message: outcome.error?.message ?? code }, durationMs };
}
