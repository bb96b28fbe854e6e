// Runs the jobs the edge asks for: checks each against the agent's own allowlist, runs it at most once per job
// id, enforces its deadline and cancellation (a kind that undoes its work stays open, streaming, while it does),
// streams its progress and output, and answers exactly one result.
import {
  type AgentMessage,
  type EdgeMessage,
  type JOB_ERROR_CODES,
  JOB_KINDS,
  JOB_ROLLBACK_GRACE_MS,
  type JobCancel,
  type JobRequest,
  type JobResult,
  MAX_JOB_TIMEOUT_MS,
  MAX_MESSAGE_BYTES,
  parseJob,
} from "@nebula/schema/wire/agent";
import { type Logger, silentLogger } from "../logging/logger.ts";
import { type JobContext, JobError, type JobHandler, type JobHandlers } from "./job-handler.ts";
import { splitUtf8 } from "./log-chunks.ts";

type JobErrorCode = (typeof JOB_ERROR_CODES)[number];

/** Wire rule (JobLog): a log chunk carries at most 64 KiB, so a burst of output never hits the message limit. */
export const LOG_CHUNK_BYTES = 64 * 1024;
export const DEFAULT_REMEMBERED_JOBS = 1000;
export const DEFAULT_MAX_OUTPUT_BYTES = 5 * 1024 * 1024;
export const DEFAULT_MAX_PENDING_RESULTS = 1000;
export const OUTPUT_TRUNCATED_LINE = "[output truncated]\n";
/** The abort reason once a job has its result: one instance, as capturing an Error's stack on every job is wasted work. */
const JOB_FINISHED = new JobError("cancelled", "Job finished");
/** JSON escaping can grow a chunk (a control character becomes 6 bytes); larger encodings are split again. */
const LOG_MESSAGE_BUDGET = MAX_MESSAGE_BYTES - 4 * 1024;

export interface JobRunnerOptions {
  handlers: JobHandlers;
  /** Hands a message to the link; false when the link is down (the message was not sent). */
  send: (message: AgentMessage) => boolean;
  /** Finished job ids remembered for de-duplication. */
  rememberJobs?: number;
  /** Output per job beyond this is dropped after one "[output truncated]" line. */
  maxOutputBytes?: number;
  /** Results that could not be sent are kept for the next connection, oldest dropped first beyond this. */
  maxPendingResults?: number;
  /** How long a job of each kind may roll back after its abort before it is answered anyway. Default JOB_ROLLBACK_GRACE_MS. */
  rollbackGraceMs?: Partial<Record<JobContext["kind"], number>>;
  now?: () => number;
  logger?: Logger;
}

interface RunningJob {
  state: "running";
  controller: AbortController;
}
interface FinishedJob {
  state: "finished";
  result: JobResult;
}

function errorResult(id: string, code: JobErrorCode, message: string, durationMs = 0): JobResult {
  return { type: "job_result", id, ok: false, error: { code, message: message.slice(0, 2000) }, durationMs };
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

export class JobRunner {
  private readonly handlers: JobHandlers;
  private readonly transmit: (message: AgentMessage) => boolean;
  private readonly rememberJobs: number;
  private readonly maxOutputBytes: number;
  private readonly maxPendingResults: number;
  private readonly rollbackGraceMs: Partial<Record<JobContext["kind"], number>>;
  private readonly now: () => number;
  private readonly logger: Logger;
  /** Insertion-ordered: the oldest finished entries are forgotten first. */
  private readonly jobs = new Map<string, RunningJob | FinishedJob>();
  private readonly pending = new Map<string, JobResult>();
  private readonly settled = new Set<Promise<void>>();

  constructor(options: JobRunnerOptions) {
    this.handlers = options.handlers;
    this.transmit = options.send;
    this.rememberJobs = options.rememberJobs ?? DEFAULT_REMEMBERED_JOBS;
    this.maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    this.maxPendingResults = options.maxPendingResults ?? DEFAULT_MAX_PENDING_RESULTS;
    this.rollbackGraceMs = options.rollbackGraceMs ?? JOB_ROLLBACK_GRACE_MS;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? silentLogger;
  }

  /** Job kinds this agent has a handler for; announced as capabilities in hello. */
  get kinds(): string[] {
    return Object.keys(this.handlers).sort();
  }

  /** Number of jobs currently running. */
  get running(): number {
    let n = 0;
    for (const job of this.jobs.values()) if (job.state === "running") n++;
    return n;
  }

  /** Results waiting for the link to come back. */
  get pendingResults(): number {
    return this.pending.size;
  }

  /** Feeds every message from the edge; only job requests and cancels concern the runner. */
  receive(message: EdgeMessage): void {
    if (message.type === "job") this.request(message);
    else if (message.type === "job_cancel") this.cancel(message);
  }

  /** Starts a job unless its id was seen: a finished one re-sends its stored result, a running one is left alone. */
  request(request: JobRequest): void {
    const seen = this.jobs.get(request.id);
    if (seen) {
      if (seen.state === "finished") this.deliver(seen.result);
      return;
    }
    // The agent's own allowlist: whatever the edge asks, a kind outside JOB_KINDS never runs.
    if (!Object.hasOwn(JOB_KINDS, request.kind)) {
      this.logger.warn("refused a job kind outside the allowlist", { id: request.id, kind: request.kind, requestedBy: request.requestedBy.id });
      this.finish(request.id, errorResult(request.id, "not_allowed", `Job kind "${request.kind}" is not allowed on this agent`));
      return;
    }
    const parsed = parseJob(request.kind, request.params);
    if (!parsed.ok) {
      this.finish(request.id, errorResult(request.id, "invalid_params", parsed.message));
      return;
    }
    const handler = this.handlers[parsed.kind] as JobHandler<typeof parsed.kind> | undefined;
    if (!handler) {
      this.finish(request.id, errorResult(request.id, "unavailable", `This agent cannot run "${parsed.kind}" jobs`));
      return;
    }
    const now = this.now();
    if (request.deadline <= now) {
      this.finish(request.id, errorResult(request.id, "timeout", "The job's deadline passed before it reached the agent"));
      return;
    }
    const controller = new AbortController();
    this.jobs.set(request.id, { state: "running", controller });
    // The host's own record of what ran and for whom (journald keeps it with the unit's logs).
    this.logger.info("job started", { id: request.id, kind: parsed.kind, requestedBy: request.requestedBy.id });
    const run = this.run(request, parsed.kind, parsed.params, handler, controller, Math.min(request.deadline, now + MAX_JOB_TIMEOUT_MS));
    this.settled.add(run);
    run.finally(() => this.settled.delete(run));
  }

  /** Aborts a running job; its result says "cancelled". Unknown or finished jobs are ignored. */
  cancel(cancel: JobCancel): void {
    const job = this.jobs.get(cancel.id);
    if (job?.state !== "running") return;
    job.controller.abort(new JobError("cancelled", cancel.reason ? `Cancelled: ${cancel.reason}` : "Cancelled"));
  }

  /** Re-sends the results kept while the link was down; call when the link is ready again. */
  resendPending(): void {
    for (const [id, result] of [...this.pending]) {
      if (!this.send(result)) return;
      this.pending.delete(id);
    }
  }

  /** Cancels every running job (agent shutting down) and resolves when each has answered. */
  async stop(reason = "agent stopping"): Promise<void> {
    for (const job of this.jobs.values()) {
      if (job.state === "running") job.controller.abort(new JobError("cancelled", `Cancelled: ${reason}`));
    }
    await Promise.all([...this.settled]);
  }

  /** Resolves when every job running now has sent its result (tests and shutdown wait on this). */
  async idle(): Promise<void> {
    while (this.settled.size > 0) await Promise.all([...this.settled]);
  }

  private async run(request: JobRequest, kind: JobContext["kind"], params: unknown, handler: JobHandler<typeof kind>, controller: AbortController, deadline: number) {
    const started = this.now();
    const { signal } = controller;
    const timer = setTimeout(() => controller.abort(new JobError("timeout", `Deadline passed after ${this.now() - started} ms`)), deadline - started);
    let open = true;
    let outputBytes = 0;
    let truncated = false;
    const ctx: JobContext = {
      id: request.id,
      kind,
      signal,
      deadline,
      requestedBy: request.requestedBy,
      progress: (step, status, message) => {
        if (!open) return;
        this.send({ type: "job_progress", id: request.id, step: step.slice(0, 80) || "job", status, message: message.slice(0, 1000), at: this.now() });
      },
      log: (stream, data) => {
        if (!open || truncated || data.length === 0) return;
        const bytes = Buffer.byteLength(data);
        if (outputBytes + bytes > this.maxOutputBytes) {
          const room = this.maxOutputBytes - outputBytes;
          if (room >= 4) this.sendLog(request.id, stream, splitUtf8(data, room)[0] ?? "");
          truncated = true;
          this.send({ type: "job_log", id: request.id, stream: "stderr", data: OUTPUT_TRUNCATED_LINE });
          return;
        }
        outputBytes += bytes;
        this.sendLog(request.id, stream, data);
      },
    };
    // A handler that ignores its signal still cannot hold the result past cancel or deadline.
    const aborted = new Promise<never>((_resolve, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
    const work = Promise.resolve().then(() => handler(params as never, ctx));
    const succeeded = (value: unknown): JobResult => {
      const ok: JobResult = { type: "job_result", id: request.id, ok: true, result: value ?? null, durationMs: this.now() - started };
      return jsonBytes(ok) > MAX_MESSAGE_BYTES ? errorResult(request.id, "failed", `The result is larger than the ${MAX_MESSAGE_BYTES} byte message limit`, ok.durationMs) : ok;
    };
    let result: JobResult;
    try {
      result = succeeded(await Promise.race([work, aborted]));
    } catch (err) {
      const graceMs = this.rollbackGraceMs[kind] ?? 0;
      result =
        graceMs > 0 && signal.aborted
          ? await this.rollBack(request.id, work, ctx, graceMs, succeeded, started)
          : errorResult(request.id, ...this.classify(err, signal), this.now() - started);
    } finally {
      open = false;
      clearTimeout(timer);
    }
    aborted.catch(() => {});
    // Whatever the handler started must stop once its result is decided.
    if (!signal.aborted) controller.abort(JOB_FINISHED);
    this.finish(request.id, result);
  }

  /**
   * After a cancel or the deadline, a kind that undoes its work (JOB_ROLLBACK_GRACE_MS) keeps its job open: the edge
   * still relays its progress, so the user sees the VM shut down and the containers come back, and the job ends
   * only when the handler does (or the grace runs out) instead of at once while the rollback goes on unseen.
   */
  private async rollBack(
    id: string,
    work: Promise<unknown>,
    ctx: JobContext,
    graceMs: number,
    succeeded: (value: unknown) => JobResult,
    started: number,
  ): Promise<JobResult> {
    const [code, reason] = this.classify(ctx.signal.reason, ctx.signal);
    const step = code === "timeout" ? "deadline" : "cancel";
    const abortedAt = this.now();
    ctx.progress(step, "cancelling", `${reason}: undoing what the job began before it answers (at most ${Math.round(graceMs / 1000)} s)`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const graceOver = new Promise<{ state: "running" }>((resolve) => {
      timer = setTimeout(() => resolve({ state: "running" }), graceMs);
    });
    const ended = await Promise.race([
      work.then(
        (value) => ({ state: "fulfilled" as const, value }),
        (err: unknown) => ({ state: "rejected" as const, err }),
      ),
      graceOver,
    ]);
    clearTimeout(timer);
    const took = `${Math.round((this.now() - abortedAt) / 100) / 10} s`;
    if (ended.state === "fulfilled") {
      // The last step finished as the abort came: the job did what was asked, and says so.
      ctx.progress(step, "ok", "the job had already done its last step; nothing was undone");
      return succeeded(ended.value);
    }
    if (ended.state === "running") {
      ctx.progress(step, "failed", `still undoing after ${took}; the job answers now and what follows is not reported`);
      this.logger.warn("a job was still rolling back when its grace ran out", { id, graceMs });
      return errorResult(id, code, `${reason} (still rolling back after ${took})`, this.now() - started);
    }
    ctx.progress(step, "ok", `stopped after ${took} of rollback`);
    return errorResult(id, ...this.classify(ended.err, ctx.signal), this.now() - started);
  }

  private classify(err: unknown, signal: AbortSignal): [JobErrorCode, string] {
    // After an abort, whatever the handler threw (AbortError, a closed stream) is a consequence of it.
    const cause = signal.aborted && signal.reason instanceof JobError ? signal.reason : err;
    if (cause instanceof JobError) return [cause.code, cause.message];
    const message = cause instanceof Error ? cause.message : String(cause);
    this.logger.warn("job failed", { err: cause });
    return ["failed", message || "The job failed"];
  }

  private sendLog(id: string, stream: "stdout" | "stderr", data: string): void {
    for (const chunk of splitUtf8(data, LOG_CHUNK_BYTES)) {
      const pieces = jsonBytes(chunk) > LOG_MESSAGE_BUDGET ? splitUtf8(chunk, Math.floor(LOG_CHUNK_BYTES / 8)) : [chunk];
      for (const piece of pieces) this.send({ type: "job_log", id, stream, data: piece });
    }
  }

  /** A link that throws is a link that is down: the runner never fails because of it. */
  private send(message: AgentMessage): boolean {
    try {
      return this.transmit(message);
    } catch (err) {
      this.logger.warn("could not send to the edge", { err });
      return false;
    }
  }

  private finish(id: string, result: JobResult): void {
    this.jobs.delete(id);
    this.jobs.set(id, { state: "finished", result });
    this.forgetOldest();
    this.deliver(result);
  }

  private deliver(result: JobResult): void {
    if (this.send(result)) {
      this.pending.delete(result.id);
      return;
    }
    this.pending.set(result.id, result);
    for (const id of this.pending.keys()) {
      if (this.pending.size <= this.maxPendingResults) break;
      this.pending.delete(id);
      this.logger.warn("dropped an unsent job result: too many waiting for the link", { id });
    }
  }

  private forgetOldest(): void {
    if (this.jobs.size <= this.rememberJobs) return;
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= this.rememberJobs) break;
      if (job.state === "finished") this.jobs.delete(id);
    }
  }
}
