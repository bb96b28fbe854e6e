// A container's logs in a side drawer: the last N lines, or follow mode streaming new lines as the job reports
// them until Stop (which cancels the job). Lines arrive only through the job's stream.
import type { Job } from "@nebula/schema/api/jobs";
import type { ContainerSummary, JobResults, LogStream } from "@nebula/schema/wire/job-results";
import { createSignal, For, onCleanup, onMount, Show } from "solid-js";
import { cancelJob, runJob } from "../../api/client.ts";
import { InlineError } from "../../ui/boundary.tsx";
import { CloseIcon } from "../../ui/icons.tsx";
import { containerName } from "./format.ts";
import { useHost } from "./host-context.tsx";
import { JobStatusBadge } from "./job-ui.tsx";
import { followJob } from "./sockets.ts";

const TAILS = [100, 200, 1000, 5000];
const MAX_LINES = 5000;
/** Follow mode runs until stopped, at most the longest job the edge allows. */
const FOLLOW_TIMEOUT_MS = 30 * 60_000;

type Line = { stream: LogStream; text: string };

export function LogsDrawer(props: { container: ContainerSummary; onClose: () => void }) {
  const host = useHost();
  const [tail, setTail] = createSignal(200);
  const [follow, setFollow] = createSignal(false);
  const [lines, setLines] = createSignal<Line[]>([]);
  const [job, setJob] = createSignal<Job>();
  const [error, setError] = createSignal<unknown>();
  const [starting, setStarting] = createSignal(false);
  let stopFollowing: (() => void) | undefined;
  let view!: HTMLPreElement;
  let partial: Record<Line["stream"], string> = { stdout: "", stderr: "" };
  const running = () => job()?.status === "running" || job()?.status === "queued";

  function push(stream: Line["stream"], data: string) {
    const parts = (partial[stream] + data).split("\n");
    partial[stream] = parts.pop() ?? "";
    if (parts.length === 0) return;
    const atBottom = view.scrollHeight - view.scrollTop - view.clientHeight < 24;
    setLines((prev) => [...prev, ...parts.map((text) => ({ stream, text }))].slice(-MAX_LINES));
    if (atBottom) view.scrollTop = view.scrollHeight;
  }

  function flush() {
    for (const stream of ["stdout", "stderr"] as const) if (partial[stream]) push(stream, "\n");
  }

  /** A one-shot read carries its text in the result, for when it ended before the stream attached. */
  function showResultOutput(finished: { result?: unknown }) {
    const result = finished.result as JobResults["docker.logs"] | null | undefined;
    for (const chunk of result?.output ?? []) push(chunk.stream, chunk.text);
    flush();
  }

  async function fetchLogs() {
    stopFollowing?.();
    setLines([]);
    partial = { stdout: "", stderr: "" };
    setError(undefined);
    setStarting(true);
    try {
      const started = await runJob(host.tenantId, host.agentId, "docker.logs", { id: props.container.id, tail: tail(), follow: follow() }, {
        wait: false,
        timeoutMs: follow() ? FOLLOW_TIMEOUT_MS : undefined,
      });
      setJob(started);
      if (started.status !== "running" && started.status !== "queued") {
        showResultOutput(started);
        return;
      }
      stopFollowing = followJob(host.tenantId, started.id, {
        log: (chunk) => push(chunk.stream, chunk.data),
        done: (finished) => {
          flush();
          setJob(finished);
          if (lines().length === 0) showResultOutput(finished);
        },
        failed: setError,
      });
    } catch (err) {
      setError(err);
    } finally {
      setStarting(false);
    }
  }

  async function stop() {
    const current = job();
    if (!current) return;
    try {
      // The follower reads the cancelled record when the stream closes.
      await cancelJob(host.tenantId, current.id);
    } catch (err) {
      setError(err);
    }
  }

  onMount(() => void fetchLogs());
  onCleanup(() => {
    stopFollowing?.();
    // Leaving a followed log must not leave the job running on the host for half an hour.
    const current = job();
    if (current && follow() && running()) void cancelJob(host.tenantId, current.id).catch(() => {});
  });

  const received = () => {
    const result = job()?.result as JobResults["docker.logs"] | null | undefined;
    return result?.bytes ? result.bytes.stdout + result.bytes.stderr : null;
  };

  return (
    <aside class="drawer" role="dialog" aria-label={`Logs of ${containerName(props.container)}`} data-testid="logs-drawer">
      <header class="drawer-head">
        <div>
          <h2>Logs · {containerName(props.container)}</h2>
          <span class="faint mono">{props.container.image}</span>
        </div>
        <button type="button" class="icon-button" aria-label="Close logs" onClick={() => props.onClose()}>
          <CloseIcon />
        </button>
      </header>
      <div class="toolbar drawer-controls">
        <label class="field" style={{ width: "120px" }}>
          <span>Last lines</span>
          <select class="select select-sm" value={tail()} disabled={running()} onChange={(e) => setTail(Number(e.currentTarget.value))}>
            <For each={TAILS}>{(n) => <option value={n}>{n}</option>}</For>
          </select>
        </label>
        <label class="check-label">
          <input type="checkbox" checked={follow()} disabled={running()} onChange={(e) => setFollow(e.currentTarget.checked)} data-testid="logs-follow" />
          Follow new lines
        </label>
        <Show
          when={running()}
          fallback={
            <button type="button" class="btn btn-sm" onClick={() => void fetchLogs()} disabled={starting()} data-testid="logs-fetch">
              {follow() ? "Follow" : "Fetch"}
            </button>
          }
        >
          <button type="button" class="btn btn-sm btn-ghost-danger" onClick={() => void stop()} data-testid="logs-stop">
            Stop
          </button>
        </Show>
        <Show when={job()}>{(j) => <JobStatusBadge status={j().status} />}</Show>
      </div>
      <Show when={error()}>{(err) => <InlineError error={err()} />}</Show>
      <Show when={job()?.error}>{(e) => <InlineError error={new Error(e().message)} />}</Show>
      <pre ref={view} class="log-view" data-testid="log-view">
        <For each={lines()}>{(line) => <span class={line.stream === "stderr" ? "log-err" : undefined}>{`${line.text}\n`}</span>}</For>
      </pre>
      <Show when={!running() && job()?.status === "succeeded" && lines().length === 0}>
        <p class="faint drawer-note">
          {received() ? `The agent sent ${received()} bytes before this page could attach to the job's stream. Use "Follow" to stream new lines.` : "No log lines."}
        </p>
      </Show>
    </aside>
  );
}
