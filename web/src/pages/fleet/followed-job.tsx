// An action that runs for a while (pull an image, bring a stack up, wake or reboot a host) followed live under the
// card that started it: the job is started without waiting, its steps and output stream in, and its end is shown.
import type { Job } from "@nebula/schema/api/jobs";
import type { JobProgress } from "@nebula/schema/wire/agent";
import type { JobKind } from "@nebula/schema/wire/jobs";
import { revalidate } from "@solidjs/router";
import { type Accessor, createSignal, type JSX, onCleanup, Show } from "solid-js";
import { getAgentJobs, runJob } from "../../api/client.ts";
import { InlineError } from "../../ui/boundary.tsx";
import { useHost } from "./host-context.tsx";
import { JobFailedError, JobStatusBadge, StepLog } from "./job-ui.tsx";
import { followJob, isFinished } from "./sockets.ts";

/** Output kept on screen; a long compose run keeps its tail. */
const MAX_OUTPUT_CHARS = 64 * 1024;

export interface FollowedJob {
  job: Accessor<Job | undefined>;
  progress: Accessor<JobProgress[]>;
  output: Accessor<string>;
  /** The stream or the final read failed (the job itself may have run). */
  error: Accessor<unknown>;
  running: () => boolean;
  /** Starts the job; rejects when the API refuses it (bad params, wrong role), so a dialog can show why. */
  start(kind: JobKind, params: Record<string, unknown>, timeoutMs?: number): Promise<void>;
}

/** `ended`: called with the final record, e.g. to refresh the list the job changed. */
export function createFollowedJob(ended?: (job: Job) => void): FollowedJob {
  const host = useHost();
  const [job, setJob] = createSignal<Job>();
  const [progress, setProgress] = createSignal<JobProgress[]>([]);
  const [output, setOutput] = createSignal("");
  const [error, setError] = createSignal<unknown>();
  let stopFollowing: (() => void) | undefined;
  onCleanup(() => stopFollowing?.());

  function finish(finished: Job) {
    setJob(finished);
    void revalidate(getAgentJobs.key);
    ended?.(finished);
  }

  return {
    job,
    progress,
    output,
    error,
    running: () => {
      const j = job();
      return j !== undefined && !isFinished(j);
    },
    async start(kind, params, timeoutMs) {
      const started = await runJob(host.tenantId, host.agentId, kind, params, { wait: false, timeoutMs });
      stopFollowing?.();
      setProgress([]);
      setOutput("");
      setError(undefined);
      setJob(started);
      if (isFinished(started)) {
        finish(started);
        return;
      }
      stopFollowing = followJob(host.tenantId, started.id, {
        progress: (p) => setProgress((prev) => [...prev, p]),
        log: (chunk) => setOutput((prev) => (prev + chunk.data).slice(-MAX_OUTPUT_CHARS)),
        done: finish,
        failed: setError,
      });
    },
  };
}

/** The followed job's title, status, steps, output and end (the result via `result`, or the error). */
export function FollowedJobPanel(props: { followed: FollowedJob; title: (job: Job) => string; result?: (job: Job) => JSX.Element; testId: string }) {
  return (
    <Show when={props.followed.job()}>
      {(job) => (
        <div class="card-body" data-testid={props.testId} data-status={job().status}>
          <div class="chart-head">
            <h3>{props.title(job())}</h3>
            <JobStatusBadge status={job().status} />
          </div>
          <Show when={props.followed.progress().length > 0}>
            <StepLog progress={props.followed.progress()} />
          </Show>
          <Show when={props.followed.output()}>
            <pre class="log-view" data-testid="job-output">
              {props.followed.output()}
            </pre>
          </Show>
          <Show when={job().status === "succeeded" && props.result}>{props.result?.(job())}</Show>
          <Show when={isFinished(job()) && job().status !== "succeeded"}>
            <InlineError error={new JobFailedError(job())} />
          </Show>
          <Show when={props.followed.error()}>{(err) => <InlineError error={err()} />}</Show>
        </div>
      )}
    </Show>
  );
}
