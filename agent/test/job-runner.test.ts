// The job runner as the edge sees it through the link: the agent's own allowlist, one run per job id, deadlines
// and cancels, bounded output in bounded chunks, exactly one result, and results kept while the link is down.
import { EventEmitter, once } from "node:events";
import type { AgentMessage, JobRequest, JobResult } from "@nebula/schema/wire/agent";
import { describe, expect, it } from "vitest";
import { JobError, type JobHandlers } from "../src/jobs/job-handler.ts";
import { JobRunner, type JobRunnerOptions, LOG_CHUNK_BYTES, OUTPUT_TRUNCATED_LINE } from "../src/jobs/job-runner.ts";
import { splitUtf8 } from "../src/jobs/log-chunks.ts";

let counter = 0;
function jobId(): string {
  return `job_${(counter++).toString(36).padStart(16, "0")}`;
}

function request(kind: string, params: unknown = {}, overrides: Partial<JobRequest> = {}): JobRequest {
  return { type: "job", id: jobId(), kind, params, deadline: Date.now() + 60_000, requestedBy: { id: "usr_1", name: "Ada" }, ...overrides };
}

/** Plays the link: records what the runner sends, and can be "down" (send returns false). */
class FakeLink extends EventEmitter<{ sent: [AgentMessage] }> {
  up = true;
  readonly sent: AgentMessage[] = [];
  send = (message: AgentMessage): boolean => {
    if (!this.up) return false;
    this.sent.push(message);
    this.emit("sent", message);
    return true;
  };
  results(id?: string): JobResult[] {
    return this.sent.filter((m): m is JobResult => m.type === "job_result" && (id === undefined || m.id === id));
  }
  logs(id: string) {
    return this.sent.filter((m) => m.type === "job_log" && m.id === id) as Extract<AgentMessage, { type: "job_log" }>[];
  }
  /** Resolves with the next result for this job (or the one already sent). */
  async result(id: string): Promise<JobResult> {
    for (;;) {
      const found = this.results(id)[0];
      if (found) return found;
      await once(this, "sent");
    }
  }
}

function setup(handlers: JobHandlers, options: Partial<JobRunnerOptions> = {}) {
  const link = new FakeLink();
  const runner = new JobRunner({ handlers, send: link.send, ...options });
  return { link, runner };
}

/** A handler that runs until its signal aborts, and counts its runs. */
function untilAborted() {
  const runs: AbortSignal[] = [];
  const started = new EventEmitter<{ started: [AbortSignal] }>();
  const handler = (_params: unknown, ctx: { signal: AbortSignal }) => {
    runs.push(ctx.signal);
    started.emit("started", ctx.signal);
    return new Promise<never>((_resolve, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)));
  };
  return { runs, started, handler };
}

/** Resolves once the job is cancelled or out of time, even if that happened before the handler looked. */
const aborted = (signal: AbortSignal) =>
  new Promise((resolve) => (signal.aborted ? resolve(signal.reason) : signal.addEventListener("abort", resolve, { once: true })));

describe("JobRunner", () => {
  it("runs an allowlisted job with its parsed params, streams progress and logs, and answers one result", async () => {
    const seen: unknown[] = [];
    const { link, runner } = setup({
      "docker.logs": async (params, ctx) => {
        seen.push(params);
        ctx.progress("read", "running", "reading logs");
        ctx.log("stdout", "hello\n");
        ctx.log("stderr", "warn\n");
        ctx.progress("read", "ok", "done");
        return { lines: 2 };
      },
    });
    const job = request("docker.logs", { id: "plex" });
    runner.receive(job);
    const result = await link.result(job.id);

    expect(seen).toEqual([{ id: "plex", tail: 200, follow: false }]);
    expect(result).toMatchObject({ type: "job_result", id: job.id, ok: true, result: { lines: 2 } });
    expect(link.sent.map((m) => m.type)).toEqual(["job_progress", "job_log", "job_log", "job_progress", "job_result"]);
    expect(link.logs(job.id).map((l) => [l.stream, l.data])).toEqual([
      ["stdout", "hello\n"],
      ["stderr", "warn\n"],
    ]);
  });

  it.each(["shell.exec", "docker.exec", "constructor", "__proto__"])("refuses kind %s with not_allowed even though the edge asked, running nothing", async (kind) => {
    let ran = 0;
    const everything = new Proxy({}, { get: () => async () => ran++ }) as JobHandlers;
    const { link, runner } = setup(everything);
    const job = request(kind, { command: "rm -rf /" });
    runner.receive(job);
    const result = await link.result(job.id);
    expect(result).toMatchObject({ ok: false, error: { code: "not_allowed" } });
    expect(ran).toBe(0);
    expect(link.sent).toHaveLength(1);
  });

  it("answers unavailable for an allowlisted kind this agent has no handler for", async () => {
    const { link, runner } = setup({});
    const job = request("gaming.enable");
    runner.receive(job);
    expect(await link.result(job.id)).toMatchObject({ ok: false, error: { code: "unavailable" } });
  });

  it("answers invalid_params without running the handler when params fail the kind's schema", async () => {
    let ran = 0;
    const { link, runner } = setup({ "docker.inspect": async () => ran++ });
    const job = request("docker.inspect", { id: "../../etc/passwd" });
    runner.receive(job);
    const result = await link.result(job.id);
    expect(result).toMatchObject({ ok: false, error: { code: "invalid_params" } });
    expect(result.ok === false && result.error.message).toContain("id:");
    expect(ran).toBe(0);
  });

  it("never runs a job id twice: a re-sent request while running sends nothing, after finishing re-sends the stored result", async () => {
    const { runs, started, handler } = untilAborted();
    const { link, runner } = setup({ "vm.list": handler });
    const job = request("vm.list");
    const running = once(started, "started");
    runner.receive(job);
    await running;
    runner.receive(job);
    expect(runs).toHaveLength(1);
    expect(link.sent).toHaveLength(0);

    runner.receive({ type: "job_cancel", id: job.id });
    const first = await link.result(job.id);
    runner.receive(job);
    expect(runs).toHaveLength(1);
    expect(link.results(job.id)).toEqual([first, first]);
  });

  it("remembers the last N job ids: the oldest beyond N may run again", async () => {
    let ran = 0;
    const { link, runner } = setup({ "vm.list": async () => ++ran }, { rememberJobs: 2 });
    const [a, b, c] = [request("vm.list"), request("vm.list"), request("vm.list")];
    for (const job of [a, b, c]) {
      runner.receive(job);
      await link.result(job.id);
    }
    runner.receive(c);
    expect(ran).toBe(3);
    runner.receive(a);
    await runner.idle();
    expect(ran).toBe(4);
  });

  it("aborts a job at its deadline and answers timeout", async () => {
    const { runs, handler } = untilAborted();
    const { link, runner } = setup({ "vm.list": handler });
    const job = request("vm.list", {}, { deadline: Date.now() + 20 });
    runner.receive(job);
    const result = await link.result(job.id);
    expect(result).toMatchObject({ ok: false, error: { code: "timeout" } });
    expect(runs[0]?.aborted).toBe(true);
  });

  it("answers timeout without running a job whose deadline passed before it arrived", async () => {
    const { runs, handler } = untilAborted();
    const { link, runner } = setup({ "vm.list": handler });
    const job = request("vm.list", {}, { deadline: Date.now() - 1 });
    runner.receive(job);
    expect(await link.result(job.id)).toMatchObject({ ok: false, error: { code: "timeout" } });
    expect(runs).toHaveLength(0);
  });

  it("cancels a running job on job_cancel: the handler's signal aborts and the result says cancelled with the reason", async () => {
    const { runs, started, handler } = untilAborted();
    const { link, runner } = setup({ "docker.logs": handler });
    const job = request("docker.logs", { id: "plex", follow: true });
    const running = once(started, "started");
    runner.receive(job);
    await running;
    runner.receive({ type: "job_cancel", id: job.id, reason: "user closed the log view" });
    const result = await link.result(job.id);
    expect(result).toMatchObject({ ok: false, error: { code: "cancelled", message: "Cancelled: user closed the log view" } });
    expect(runs[0]?.aborted).toBe(true);
  });

  it("answers a cancel even when the handler ignores its signal, and ignores what it does afterwards", async () => {
    let finish: (value: unknown) => void = () => {};
    let ctxLog: ((data: string) => void) | undefined;
    const { link, runner } = setup({
      "vm.list": (_params, ctx) => {
        ctxLog = (data) => ctx.log("stdout", data);
        return new Promise((resolve) => (finish = resolve));
      },
    });
    const job = request("vm.list");
    runner.receive(job);
    runner.receive({ type: "job_cancel", id: job.id });
    expect(await link.result(job.id)).toMatchObject({ ok: false, error: { code: "cancelled" } });
    finish(["late"]);
    ctxLog?.("late output");
    await runner.idle();
    expect(link.sent).toHaveLength(1);
  });

  it("keeps a job that rolls back open past its deadline: its rollback lines first, then the timeout", async () => {
    const { link, runner } = setup({
      "gaming.enable": async (_params, ctx) => {
        await aborted(ctx.signal);
        // Undoing takes its own time; the job is still open meanwhile.
        await new Promise((resolve) => setImmediate(resolve));
        ctx.progress("vm-start", "rolled_back", "RDPWindows shut down");
        throw new JobError("cancelled", "sunshine: the job was cancelled or ran out of time");
      },
    });
    const job = request("gaming.enable", {}, { deadline: Date.now() + 20 });
    runner.receive(job);
    const result = await link.result(job.id);

    expect(result).toMatchObject({ ok: false, error: { code: "timeout", message: expect.stringMatching(/^Deadline passed after \d+ ms$/) } });
    const lines = link.sent.filter((m) => m.type === "job_progress").map((m) => `${m.step}:${m.status}`);
    expect(lines).toEqual(["deadline:cancelling", "vm-start:rolled_back", "deadline:ok"]);
    expect(link.sent.at(-1)).toBe(result);
  });

  it("answers a rolling-back job once its grace runs out, and drops what the rollback says after that", async () => {
    let rollbackDone = () => {};
    let handlerRun: Promise<unknown> = Promise.resolve();
    const { link, runner } = setup(
      {
        "gaming.enable": (_params, ctx) =>
          (handlerRun = (async () => {
            await aborted(ctx.signal);
            await new Promise<void>((resolve) => (rollbackDone = resolve));
            ctx.progress("containers", "rolled_back", "started again: plex");
            throw new JobError("cancelled", "cancelled");
          })()),
      },
      { rollbackGraceMs: { "gaming.enable": 1 } },
    );
    const job = request("gaming.enable");
    runner.receive(job);
    runner.receive({ type: "job_cancel", id: job.id, reason: "by Ada" });
    const result = await link.result(job.id);

    expect(result).toMatchObject({ ok: false, error: { code: "cancelled", message: expect.stringMatching(/^Cancelled: by Ada \(still rolling back after [\d.]+ s\)$/) } });
    const lines = link.sent.filter((m) => m.type === "job_progress").map((m) => `${m.step}:${m.status}`);
    expect(lines).toEqual(["cancel:cancelling", "cancel:failed"]);
    const sent = link.sent.length;
    rollbackDone();
    await handlerRun.catch(() => {});
    expect(link.sent).toHaveLength(sent);
  });

  it("turns a handler's JobError into its code and any other error into failed", async () => {
    const { link, runner } = setup({
      "docker.inspect": async () => {
        throw new JobError("not_found", "No such container: plex");
      },
      "docker.stats": async () => {
        throw new Error("socket hang up");
      },
    });
    const a = request("docker.inspect", { id: "plex" });
    const b = request("docker.stats", { id: "plex" });
    runner.receive(a);
    runner.receive(b);
    expect(await link.result(a.id)).toMatchObject({ ok: false, error: { code: "not_found", message: "No such container: plex" } });
    expect(await link.result(b.id)).toMatchObject({ ok: false, error: { code: "failed", message: "socket hang up" } });
  });

  it("splits large output into chunks of at most 64 KiB without breaking characters", async () => {
    const text = "é😀x".repeat(30_000); // 7 bytes a repeat: 210,000 bytes
    const { link, runner } = setup({
      "vm.list": async (_params, ctx) => {
        ctx.log("stdout", text);
        return null;
      },
    });
    const job = request("vm.list");
    runner.receive(job);
    await link.result(job.id);
    const chunks = link.logs(job.id).map((l) => l.data);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) expect(Buffer.byteLength(chunk)).toBeLessThanOrEqual(LOG_CHUNK_BYTES);
    expect(chunks.join("")).toBe(text);
    expect(chunks.some((c) => c.includes("\ufffd"))).toBe(false);
  });

  it("caps a job's output: what fits, then one [output truncated] line, then nothing", async () => {
    const { link, runner } = setup(
      {
        "vm.list": async (_params, ctx) => {
          ctx.log("stdout", "a".repeat(600));
          ctx.log("stdout", "b".repeat(600));
          ctx.log("stderr", "c".repeat(10));
          return "done";
        },
      },
      { maxOutputBytes: 1000 },
    );
    const job = request("vm.list");
    runner.receive(job);
    expect(await link.result(job.id)).toMatchObject({ ok: true, result: "done" });
    expect(link.logs(job.id).map((l) => l.data)).toEqual(["a".repeat(600), "b".repeat(400), OUTPUT_TRUNCATED_LINE]);
  });

  it("keeps results made while the link is down and re-sends them when it is back, oldest dropped beyond the bound", async () => {
    const { link, runner } = setup({ "vm.list": async () => "ok" }, { maxPendingResults: 2 });
    link.up = false;
    const jobs = [request("vm.list"), request("vm.list"), request("vm.list")];
    for (const job of jobs) runner.receive(job);
    await runner.idle();
    expect(runner.pendingResults).toBe(2);
    expect(link.sent).toHaveLength(0);

    link.up = true;
    runner.resendPending();
    expect(link.results().map((r) => r.id)).toEqual([jobs[1]?.id, jobs[2]?.id]);
    expect(runner.pendingResults).toBe(0);
    // The edge asking again for the dropped one still gets its stored answer, without a second run.
    runner.receive(jobs[0]!);
    expect(link.results(jobs[0]?.id)).toMatchObject([{ ok: true, result: "ok" }]);
  });

  it("answers failed instead of a result too big for one message", async () => {
    const { link, runner } = setup({ "docker.list": async () => "x".repeat(300 * 1024) });
    const job = request("docker.list");
    runner.receive(job);
    expect(await link.result(job.id)).toMatchObject({ ok: false, error: { code: "failed" } });
  });

  it("cancels every running job on stop, each answering once", async () => {
    const { runs, started, handler } = untilAborted();
    const { link, runner } = setup({ "vm.list": handler, "vm.state": handler });
    const both = new Promise<void>((resolve) => started.on("started", () => runs.length === 2 && resolve()));
    const a = request("vm.list");
    const b = request("vm.state", { name: "win11" });
    runner.receive(a);
    runner.receive(b);
    await both;
    await runner.stop();
    expect(link.results().map((r) => [r.id, r.ok === false && r.error.code])).toEqual([
      [a.id, "cancelled"],
      [b.id, "cancelled"],
    ]);
  });
});

describe("splitUtf8", () => {
  it("cuts at character boundaries and loses nothing", () => {
    expect(splitUtf8("", 8)).toEqual([]);
    expect(splitUtf8("abc", 8)).toEqual(["abc"]);
    expect(splitUtf8("ééééé", 4)).toEqual(["éé", "éé", "é"]);
    expect(splitUtf8("a😀b", 4)).toEqual(["a", "😀", "b"]);
  });
});
