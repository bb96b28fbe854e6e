// Gaming mode: the GPU goes from the host's containers to the gaming VM (enable) and back (disable). Switching
// takes minutes; the card shows each step live (running, ok, failed, rolled back) from the job's stream, and picks
// up a switch already under way when the page is opened. A cancelled switch stays "cancelling…" while the agent
// undoes it (VM shut down, containers started again), those steps showing as they happen.
import type { Job } from "@nebula/schema/api/jobs";
import type { JobProgress } from "@nebula/schema/wire/agent";
import type { GamingStatus } from "@nebula/schema/wire/job-results";
import { createAsync, revalidate } from "@solidjs/router";
import { createSignal, onCleanup, onMount, Show } from "solid-js";
import { cancelJob, getAgentJobs, getJobReading, runJob } from "../../api/client.ts";
import { Badge } from "../../ui/badge.tsx";
import { InlineError } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { ConfirmDialog } from "../../ui/dialog.tsx";
import { fullTime } from "../../ui/time.tsx";
import { duration } from "./format.ts";
import { useHost } from "./host-context.tsx";
import { useCanRun } from "./job-roles.ts";
import { JobFailedError, JobReading, JobStatusBadge, RefreshButton, readingKey, StepLog } from "./job-ui.tsx";
import { followJob, isFinished } from "./sockets.ts";

/** Stopping containers, starting the VM, waiting for Sunshine: the agent's own step timeouts add up to minutes. */
const GAMING_TIMEOUT_MS = 10 * 60_000;
type Switch = "gaming.enable" | "gaming.disable";

const MODE: Record<GamingStatus["mode"], { label: string; tone: "success" | "warning" | "neutral" }> = {
  on: { label: "On", tone: "success" },
  partial: { label: "Partly switched", tone: "warning" },
  off: { label: "Off", tone: "neutral" },
};

export function GamingCard(props: { vmListKey: string }) {
  const host = useHost();
  const canRun = useCanRun();
  const status = createAsync(() => getJobReading(host.tenantId, host.agentId, "gaming.status", "{}"));
  const statusKey = () => readingKey(host.tenantId, host.agentId, "gaming.status", "{}");
  const [asking, setAsking] = createSignal<Switch>();
  const [job, setJob] = createSignal<Job>();
  const [progress, setProgress] = createSignal<JobProgress[]>([]);
  const [error, setError] = createSignal<unknown>();
  const [cancelAsked, setCancelAsked] = createSignal(false);
  let stopFollowing: (() => void) | undefined;
  onCleanup(() => stopFollowing?.());
  const running = () => {
    const j = job();
    return j !== undefined && !isFinished(j);
  };
  // From the click, or from the agent's own "cancelling" line (a cancel from another tab, or the deadline).
  const cancelling = () => running() && (cancelAsked() || progress().some((p) => p.status === "cancelling"));

  async function cancel(id: string) {
    setCancelAsked(true);
    try {
      await cancelJob(host.tenantId, id);
    } catch (err) {
      setCancelAsked(false);
      setError(err);
    }
  }

  function follow(started: Job) {
    stopFollowing?.();
    setJob(started);
    setProgress([]);
    setError(undefined);
    setCancelAsked(false);
    stopFollowing = followJob(host.tenantId, started.id, {
      progress: (p) => setProgress((prev) => [...prev, p]),
      done: (finished) => {
        setJob(finished);
        void revalidate([statusKey(), props.vmListKey, getAgentJobs.key]);
      },
      failed: setError,
    });
  }

  // A switch started earlier (another tab, before a reload) is still running: follow it.
  onMount(async () => {
    try {
      const recent = await getAgentJobs(host.tenantId, host.agentId, null);
      const under = recent.items.find((j) => (j.kind === "gaming.enable" || j.kind === "gaming.disable") && !isFinished(j));
      if (under && !job()) follow(under);
    } catch {
      // The history is a convenience here; the buttons still work.
    }
  });

  async function start(kind: Switch) {
    const started = await runJob(host.tenantId, host.agentId, kind, {}, { wait: false, timeoutMs: GAMING_TIMEOUT_MS });
    if (isFinished(started) && started.status !== "succeeded") throw new JobFailedError(started);
    follow(started);
  }

  const took = () => {
    const j = job();
    return j?.startedAt && j.finishedAt ? duration(new Date(j.finishedAt).getTime() - new Date(j.startedAt).getTime()) : null;
  };

  return (
    <Card
      title="Gaming mode"
      testId="gaming-card"
      description="Hands the GPU to the gaming VM (Sunshine/Moonlight), stopping the containers that use it; disabling gives it back."
      actions={
        <div class="form-actions">
          <Show when={canRun("gaming.enable")}>
            <button type="button" class="btn btn-sm btn-primary" data-testid="gaming-enable" disabled={running()} onClick={() => setAsking("gaming.enable")}>
              Enable
            </button>
          </Show>
          <Show when={canRun("gaming.disable")}>
            <button type="button" class="btn btn-sm" data-testid="gaming-disable" disabled={running()} onClick={() => setAsking("gaming.disable")}>
              Disable
            </button>
          </Show>
          <RefreshButton label="Refresh gaming status" onClick={() => revalidate(statusKey())} />
        </div>
      }
    >
      <JobReading<GamingStatus> job={status()} subject="Gaming mode" onRetry={() => revalidate(statusKey())}>
        {(s) => (
          <div class="card-body">
            <dl class="kv kv-2" data-testid="gaming-status">
              <dt>Mode</dt>
              <dd>
                <Badge tone={MODE[s.mode].tone}>{MODE[s.mode].label}</Badge>
                <Show when={s.since}>{(since) => <span class="faint"> since {fullTime(new Date(since()).toISOString())}</span>}</Show>
              </dd>
              <dt>VM</dt>
              <dd>{s.vm}</dd>
              <dt>GPU power</dt>
              <dd>
                <code>{s.gpuPowerState}</code>
              </dd>
              <dt>Stopped for gaming</dt>
              <dd>{s.stoppedContainers.length > 0 ? s.stoppedContainers.join(", ") : <span class="faint">None</span>}</dd>
            </dl>
          </div>
        )}
      </JobReading>
      <Show when={job()}>
        {(j) => (
          <div class="card-body switch-log" data-testid="gaming-job">
            <div class="form-actions">
              <strong>{j().kind === "gaming.enable" ? "Enabling" : "Disabling"} gaming mode</strong>
              <Show when={cancelling()} fallback={<JobStatusBadge status={j().status} />}>
                <span data-testid="job-status" data-status="cancelling">
                  <Badge tone="warning">cancelling…</Badge>
                </span>
              </Show>
              <Show when={took()}>{(t) => <span class="faint">in {t()}</span>}</Show>
              <span style={{ flex: 1 }} />
              <Show when={running() && !cancelling() && canRun(j().kind as Switch)}>
                <button type="button" class="btn btn-sm btn-ghost-danger" onClick={() => void cancel(j().id)}>
                  Cancel
                </button>
              </Show>
            </div>
            <Show when={progress().length > 0} fallback={<p class="faint">{running() ? "Waiting for the first step…" : "No steps were reported to this page."}</p>}>
              <StepLog progress={progress()} testId="gaming-steps" />
            </Show>
            <Show when={j().error}>{(e) => <InlineError error={new Error(e().message)} />}</Show>
            <Show when={error()}>{(err) => <InlineError error={err()} />}</Show>
          </div>
        )}
      </Show>
      <ConfirmDialog
        open={asking() !== undefined}
        title={asking() === "gaming.enable" ? "Enable gaming mode?" : "Disable gaming mode?"}
        message={
          asking() === "gaming.enable"
            ? "Containers using the GPU are stopped and the gaming VM takes the GPU. This takes a few minutes; a failed step is rolled back."
            : "The gaming VM is shut down (forced off if it does not stop in time) and the containers gaming mode stopped are started again."
        }
        confirmLabel={asking() === "gaming.enable" ? "Enable gaming mode" : "Disable gaming mode"}
        onConfirm={() => start(asking() ?? "gaming.disable")}
        onClose={() => setAsking(undefined)}
      />
    </Card>
  );
}
