// A JobContext for calling handlers directly, as the runner would: it records progress and output and
// announces each log chunk, so a test can wait for output instead of sleeping.
import { EventEmitter } from "node:events";
import type { agentWire } from "@nebula/schema";
import type { JobContext } from "../../src/jobs/job-handler.ts";

export interface RecordedJob {
  ctx: JobContext;
  controller: AbortController;
  logs: { stream: "stdout" | "stderr"; data: string }[];
  progress: { step: string; status: string; message: string }[];
  events: EventEmitter<{ log: [stream: "stdout" | "stderr", data: string] }>;
  /** Everything written to one stream, joined. */
  text(stream?: "stdout" | "stderr"): string;
}

export function recordedJob(kind: agentWire.JobKind): RecordedJob {
  const controller = new AbortController();
  const logs: RecordedJob["logs"] = [];
  const progress: RecordedJob["progress"] = [];
  const events = new EventEmitter<{ log: [stream: "stdout" | "stderr", data: string] }>();
  const ctx: JobContext = {
    id: "job_0000000000000000",
    kind,
    signal: controller.signal,
    deadline: Date.now() + 60_000,
    requestedBy: { id: "usr_test", name: "Test" },
    progress: (step, status, message) => progress.push({ step, status, message }),
    log: (stream, data) => {
      logs.push({ stream, data });
      events.emit("log", stream, data);
    },
  };
  return {
    ctx,
    controller,
    logs,
    progress,
    events,
    text: (stream) =>
      logs
        .filter((l) => stream === undefined || l.stream === stream)
        .map((l) => l.data)
        .join(""),
  };
}

/** What a handler threw; fails the test if it resolved instead. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected the job to fail");
}
