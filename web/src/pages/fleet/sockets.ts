// The two live feeds of a host page: its metrics (every batch the agent sends while someone watches) and one
// job's progress, logs and result. Both are websockets on this origin; a job falls back to polling its record.
import type { Job } from "@nebula/schema/api/jobs";
import type { JobLog, JobProgress, JobResult, Sample } from "@nebula/schema/wire/agent";
import { type Accessor, createEffect, createSignal, onCleanup } from "solid-js";
import { jobStreamUrl, liveMetricsUrl, readJob } from "../../api/client.ts";

const FINISHED: readonly Job["status"][] = ["succeeded", "failed", "cancelled", "timeout"];
export const isFinished = (job: Job) => FINISHED.includes(job.status);

/** Keeps idle proxies from closing a quiet socket; the hub answers "ping" without waking up. */
const KEEPALIVE_MS = 30_000;
const RECONNECT_MS = 5_000;

export type LiveState = "off" | "connecting" | "live" | "retrying";

/**
 * Watches a host live while `enabled()`: each metrics batch's samples go to `onSamples`. Reconnects after a drop;
 * closes when disabled or when the component goes away.
 */
export function createLiveSamples(
  target: () => { tenantId: string; agentId: string } | null,
  onSamples: (samples: Sample[]) => void,
): Accessor<LiveState> {
  const [state, setState] = createSignal<LiveState>("off");
  createEffect(() => {
    const t = target();
    if (!t) {
      setState("off");
      return;
    }
    let ws: WebSocket | undefined;
    let closed = false;
    let keepalive: ReturnType<typeof setInterval> | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      setState("connecting");
      ws = new WebSocket(liveMetricsUrl(t.tenantId, t.agentId));
      ws.onopen = () => {
        setState("live");
        keepalive = setInterval(() => ws?.readyState === WebSocket.OPEN && ws.send("ping"), KEEPALIVE_MS);
      };
      ws.onmessage = (event) => {
        if (typeof event.data !== "string" || !event.data.startsWith("{")) return;
        try {
          const message = JSON.parse(event.data) as { type?: string; samples?: Sample[] };
          if (message.type === "metrics" && Array.isArray(message.samples)) onSamples(message.samples);
        } catch {
          // Not a frame we know; the feed goes on.
        }
      };
      ws.onclose = () => {
        clearInterval(keepalive);
        if (closed) return;
        setState("retrying");
        retry = setTimeout(open, RECONNECT_MS);
      };
    };
    open();
    onCleanup(() => {
      closed = true;
      clearInterval(keepalive);
      clearTimeout(retry);
      ws?.close(1000, "leaving");
      setState("off");
    });
  });
  return state;
}

export interface JobFollower {
  progress?: (step: JobProgress) => void;
  log?: (chunk: JobLog) => void;
  /** The job's final record, read back once it ended. */
  done: (job: Job) => void;
  failed?: (err: unknown) => void;
}

const POLL_MS = 1_000;

/**
 * Follows one job: its stream while it runs, then the stored record. When the stream cannot be opened (the job
 * already ended, or a proxy refuses websockets) the record is polled every second until the job ends.
 * Returns a function that stops following.
 */
export function followJob(tenantId: string, jobId: string, on: JobFollower): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const poll = async () => {
    if (stopped) return;
    try {
      const job = await readJob(tenantId, jobId);
      if (stopped) return;
      if (isFinished(job)) on.done(job);
      else timer = setTimeout(poll, POLL_MS);
    } catch (err) {
      if (!stopped) on.failed?.(err);
    }
  };
  const ws = new WebSocket(jobStreamUrl(tenantId, jobId));
  ws.onmessage = (event) => {
    if (typeof event.data !== "string") return;
    try {
      const frame = JSON.parse(event.data) as JobProgress | JobLog | JobResult;
      if (frame.type === "job_progress") on.progress?.(frame);
      else if (frame.type === "job_log") on.log?.(frame);
    } catch {
      // Ignore what we cannot read; the record is read at the end anyway.
    }
  };
  // Closed after the result, or never opened: either way the stored record has the last word.
  ws.onclose = () => void poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
    ws.onclose = null;
    ws.close(1000, "stopped");
  };
}
