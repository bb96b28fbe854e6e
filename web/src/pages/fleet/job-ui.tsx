// Pieces every host tab shares: running a job and treating a failed one as an error, a job's status as a badge,
// a job that did not succeed as an error state, and a multi-step job's progress as a step log.
import type { Job, JobStatus } from "@nebula/schema/api/jobs";
import type { JobProgress } from "@nebula/schema/wire/agent";
import type { JobKind } from "@nebula/schema/wire/jobs";
import { revalidate } from "@solidjs/router";
import { For, type JSX, Show } from "solid-js";
import { getAgentJobs, getJobReading, type RunJobOptions, runJob } from "../../api/client.ts";
import { Badge, type BadgeTone } from "../../ui/badge.tsx";
import { AlertIcon, CheckIcon, CloseIcon, RefreshIcon } from "../../ui/icons.tsx";
import { JOB_KIND_ROLES, useCanRun } from "./job-roles.ts";

/** A job that ran but did not succeed, as an Error the dialogs and inline errors already know how to show. */
export class JobFailedError extends Error {
  readonly job: Job;
  constructor(job: Job) {
    super(job.error?.message ?? `The job ended ${job.status}`);
    this.name = "JobFailedError";
    this.job = job;
  }
}

/** Runs a job, waits for its end, and throws unless it succeeded; the host's job history is refreshed either way. */
export async function runChecked(
  tenantId: string,
  agentId: string,
  kind: JobKind,
  params: Record<string, unknown>,
  options: RunJobOptions = { wait: true },
): Promise<Job> {
  try {
    const job = await runJob(tenantId, agentId, kind, params, options);
    if (job.status === "failed" || job.status === "cancelled" || job.status === "timeout") throw new JobFailedError(job);
    return job;
  } finally {
    void revalidate(getAgentJobs.key);
  }
}

/** The cache key of one read-only job reading, for refreshing it after an action. */
export const readingKey = (tenantId: string, agentId: string, kind: JobKind, params: string) => getJobReading.keyFor(tenantId, agentId, kind, params);

const STATUS_TONE: Record<JobStatus, BadgeTone> = {
  queued: "neutral",
  running: "accent",
  succeeded: "success",
  failed: "danger",
  cancelled: "warning",
  timeout: "danger",
};

export function JobStatusBadge(props: { status: JobStatus }) {
  return (
    <span data-testid="job-status" data-status={props.status}>
      <Badge tone={STATUS_TONE[props.status]}>{props.status === "timeout" ? "timed out" : props.status}</Badge>
    </span>
  );
}

/** What a failed reading means for the person looking at the tab. */
function failureTitle(job: Job, subject: string): string {
  switch (job.error?.code) {
    case "unavailable":
      // The edge answers for an agent it cannot reach; the agent answers for a service it cannot reach.
      return job.error.message.startsWith("The agent") ? "Host offline" : `${subject} unavailable`;
    case "not_allowed":
      return `This host's agent does not run ${subject} jobs`;
    case "timeout":
      return `${subject} did not answer in time`;
    default:
      return `Could not read ${subject}`;
  }
}

/** A reading job that did not succeed: its code and message, and a way to try again. */
export function JobErrorState(props: { job: Job; subject: string; onRetry: () => void; children?: JSX.Element }) {
  return (
    <div class="card-body">
      <div class="error-panel" role="alert" data-testid="job-error" data-code={props.job.error?.code ?? props.job.status}>
        <AlertIcon size={18} />
        <div class="grow">
          <strong data-testid="job-error-title">{failureTitle(props.job, props.subject)}</strong>
          <span data-testid="error-message">{props.job.error?.message ?? `The job ended ${props.job.status}.`}</span>
          {props.children}
          <span class="error-meta">
            <Show when={props.job.error?.code}>
              {(code) => (
                <>
                  Code <code>{code()}</code> ·{" "}
                </>
              )}
            </Show>
            Job <code>{props.job.id}</code>
          </span>
        </div>
        <button type="button" class="btn btn-sm" onClick={() => props.onRetry()}>
          Retry
        </button>
      </div>
    </div>
  );
}

/** Shows the reading's result when the job succeeded, else its error state. */
/** `unavailableHint`: what to check when the host is online but its service (Docker, libvirt) did not answer. */
export function JobReading<T>(props: {
  job: Job | undefined;
  subject: string;
  onRetry: () => void;
  unavailableHint?: JSX.Element;
  children: (result: T) => JSX.Element;
}) {
  const hint = (job: Job) => props.unavailableHint && job.error?.code === "unavailable" && failureTitle(job, props.subject) !== "Host offline";
  return (
    <Show when={props.job}>
      {(job) => (
        <Show
          when={job().status === "succeeded"}
          fallback={
            <JobErrorState job={job()} subject={props.subject} onRetry={props.onRetry}>
              <Show when={hint(job())}>
                <span class="muted" data-testid="job-error-hint">
                  {props.unavailableHint}
                </span>
              </Show>
            </JobErrorState>
          }
        >
          {props.children(job().result as T)}
        </Show>
      )}
    </Show>
  );
}

/** A job's button that stays visible to a role that may not run it: disabled, with the role it needs as its tooltip. */
export function JobButton(props: { kind: JobKind; label: string; onClick: () => void; testId: string; class?: string; disabled?: boolean }) {
  const canRun = useCanRun();
  return (
    <span class="nowrap" title={canRun(props.kind) ? undefined : `Needs the ${JOB_KIND_ROLES[props.kind]} role`} data-testid={`${props.testId}-gate`}>
      <button
        type="button"
        class={props.class ?? "btn btn-sm"}
        data-testid={props.testId}
        disabled={!canRun(props.kind) || props.disabled}
        onClick={() => props.onClick()}
      >
        {props.label}
      </button>
    </span>
  );
}

export function RefreshButton(props: { onClick: () => void; label: string }) {
  return (
    <button type="button" class="icon-button" aria-label={props.label} title={props.label} onClick={() => props.onClick()}>
      <RefreshIcon />
    </button>
  );
}

type StepRow = { step: string; status: JobProgress["status"]; message: string; at: number; updates: number };

/** One row per step, in the order steps began; a later update (ok, failed, rolled back) replaces the earlier one. */
export function stepRows(progress: readonly JobProgress[]): StepRow[] {
  const rows = new Map<string, StepRow>();
  for (const p of progress) {
    const row = rows.get(p.step);
    rows.set(p.step, { step: p.step, status: p.status, message: p.message, at: p.at, updates: (row?.updates ?? 0) + 1 });
  }
  return [...rows.values()];
}

const STEP_LABEL: Record<JobProgress["status"], string> = {
  running: "Running",
  ok: "Done",
  failed: "Failed",
  skipped: "Skipped",
  rolled_back: "Rolled back",
  cancelling: "Cancelling…",
};

function StepIcon(props: { status: JobProgress["status"] }) {
  return (
    <span class={`step-icon step-${props.status}`} role="img" aria-label={STEP_LABEL[props.status]}>
      <Show when={props.status === "running" || props.status === "cancelling"}>
        <span class="spinner" aria-hidden="true" />
      </Show>
      <Show when={props.status === "ok"}>
        <CheckIcon size={12} />
      </Show>
      <Show when={props.status === "failed"}>
        <CloseIcon size={12} />
      </Show>
      <Show when={props.status === "rolled_back"}>
        <RefreshIcon size={12} />
      </Show>
      <Show when={props.status === "skipped"}>–</Show>
    </span>
  );
}

const clock = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });

export function StepLog(props: { progress: readonly JobProgress[]; testId?: string }) {
  return (
    <ol class="step-log" data-testid={props.testId}>
      <For each={stepRows(props.progress)}>
        {(row) => (
          <li data-testid="step" data-step={row.step} data-status={row.status}>
            <StepIcon status={row.status} />
            <div class="grow">
              <div>
                <strong>{row.step}</strong> <span class="faint">· {STEP_LABEL[row.status]}</span>
              </div>
              <div class="detail">{row.message}</div>
            </div>
            <time class="faint nowrap">{clock.format(new Date(row.at))}</time>
          </li>
        )}
      </For>
    </ol>
  );
}
