// What a job handler is: a typed function per allowlisted kind, given its parsed params and a context
// to report progress and stream logs; it resolves with the result or throws a JobError.
import type { agentWire } from "@nebula/schema";

type JobKind = agentWire.JobKind;
type JobParams<K extends JobKind> = agentWire.JobParams<K>;
type StepStatus = (typeof agentWire.JOB_STEP_STATUSES)[number];
type JobErrorCode = (typeof agentWire.JOB_ERROR_CODES)[number];

export interface JobContext {
  id: string;
  kind: JobKind;
  /** Aborted on cancel or when the deadline passes; handlers pass it to every call that can hang. */
  signal: AbortSignal;
  /** Absolute deadline, epoch ms. */
  deadline: number;
  requestedBy: { id: string; name: string };
  progress(step: string, status: StepStatus, message: string): void;
  log(stream: "stdout" | "stderr", data: string): void;
}

export type JobHandler<K extends JobKind> = (params: JobParams<K>, ctx: JobContext) => Promise<unknown>;

/** Handlers by kind; a kind without one answers `unavailable` (e.g. no Docker on this host). */
export type JobHandlers = { [K in JobKind]?: JobHandler<K> };

export class JobError extends Error {
  readonly code: JobErrorCode;
  constructor(code: JobErrorCode, message: string) {
    super(message);
    this.name = "JobError";
    this.code = code;
  }
}
