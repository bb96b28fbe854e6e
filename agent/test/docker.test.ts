// docker.* jobs against a real Docker Engine API (podman's service): a busybox container that keeps printing
// lines is listed, stopped, started, restarted, tailed, followed and measured through the job handlers, and
// once end to end through the job runner the way the edge drives it.
import { EventEmitter, once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { AgentMessage, JobRequest, JobResult } from "@nebula/schema/wire/agent";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_IMAGE, type PodmanPeer, startPodman } from "../../test/peers/podman.ts";
import { peerMissing } from "../../test/peers/peers.ts";
import { type ContainerStatsSample, type ContainerSummary, dockerHandlers } from "../src/docker/docker-handlers.ts";
import { JobError } from "../src/jobs/job-handler.ts";
import { containerMetrics } from "../src/metrics/container-metrics.ts";
import { JobRunner } from "../src/jobs/job-runner.ts";
import { recordedJob, rejection } from "./support/job-context.ts";

const missing = peerMissing("podman");
const LOOP = "i=0; while true; do echo line $i; echo oops $i >&2; i=$((i+1)); sleep 0.2; done";
const NO_SUCH = "nebula-no-such-container";

/** Line numbers ("line 7" -> 7) in the order they were printed. */
function lineNumbers(text: string): number[] {
  return [...text.matchAll(/^line (\d+)$/gm)].map((m) => Number(m[1]));
}

describe.skipIf(missing)(missing ?? "docker jobs against a real Docker Engine API (podman)", () => {
  let peer: PodmanPeer;
  let docker: Docker;
  let stackDir: string;
  let handlers: ReturnType<typeof dockerHandlers>;
  const name = `nebula-test-${process.pid}-${Date.now().toString(36)}`;

  /** Follows the container's log until `count` lines were printed; waits on output, never on time. */
  async function waitForLines(count: number, since = 0): Promise<void> {
    const job = recordedJob("docker.logs");
    let seen = 0;
    const enough = new Promise<void>((resolve) =>
      job.events.on("log", (stream, data) => {
        if (stream === "stdout") seen += lineNumbers(data).length;
        if (seen >= count) resolve();
      }),
    );
    const following = handlers["docker.logs"]({ id: name, tail: since, follow: true }, job.ctx).catch(() => undefined);
    await enough;
    job.controller.abort(new JobError("cancelled", "seen enough"));
    await following;
  }

  async function inspectState() {
    return (await docker.getContainer(name).inspect()).State;
  }

  beforeAll(async () => {
    peer = await startPodman();
    docker = new Docker({ socketPath: peer.socketPath });
    stackDir = await mkdtemp(path.join(os.tmpdir(), "nebula-stack-"));
    const container = await docker.createContainer({ name, Image: BUSYBOX_IMAGE, Cmd: ["sh", "-c", LOOP], HostConfig: { NetworkMode: "none" } });
    await container.start();
    handlers = dockerHandlers({ socketPath: peer.socketPath, stacks: new Map([["media", stackDir]]) });
  });

  afterAll(async () => {
    await docker?.getContainer(name).remove({ force: true }).catch(() => undefined);
    await peer?.stop();
    if (stackDir) await rm(stackDir, { recursive: true, force: true });
  });

  it("reports container metrics for the host's samples: counts, running, restarts, CPU and memory", async () => {
    let clock = 0;
    const collect = containerMetrics(peer.socketPath, { now: () => (clock += 61_000) });
    const first = await collect();
    expect(first["containers.running"]).toBeGreaterThanOrEqual(1);
    expect(first["containers.total"]).toBeGreaterThanOrEqual(first["containers.running"] ?? 0);
    expect(first[`container.${name}.running`]).toBe(1);
    expect(first[`container.${name}.restarts`]).toBe(0);
    expect(first[`container.${name}.mem_bytes`]).toBeGreaterThan(0);
    // CPU is a rate: it needs a second reading.
    const second = await collect();
    expect(second[`container.${name}.cpu`]).toBeGreaterThanOrEqual(0);
  });

  it("lists the container with its names, image and running state", async () => {
    const list = (await handlers["docker.list"]({ all: true }, recordedJob("docker.list").ctx)) as ContainerSummary[];
    const mine = list.find((c) => c.names.includes(name));
    expect(mine).toMatchObject({ names: [name], state: "running", ports: [] });
    expect(mine?.image).toContain("busybox");
    expect(mine?.id).toMatch(/^[0-9a-f]{64}$/);
    expect(Number.isNaN(Date.parse(mine?.created ?? ""))).toBe(false);
  });

  it("inspects the container without exposing its environment", async () => {
    const details = await handlers["docker.inspect"]({ id: name }, recordedJob("docker.inspect").ctx);
    expect(details).toMatchObject({ name, state: { status: "running", running: true }, networkMode: "none", command: expect.arrayContaining(["sh"]) });
    expect(JSON.stringify(details)).not.toMatch(/"Env"|PATH=/);
  });

  it("tails the last lines, split into stdout and stderr from Docker's multiplexed stream", async () => {
    await waitForLines(3);
    const job = recordedJob("docker.logs");
    const result = await handlers["docker.logs"]({ id: name, tail: 4, follow: false }, job.ctx);
    const out = job.text("stdout");
    const err = job.text("stderr");
    expect(out).toMatch(/^(line \d+\n)+$/);
    expect(err).toMatch(/^(oops \d+\n)+$/);
    expect(lineNumbers(out).length + [...err.matchAll(/oops/g)].length).toBe(4);
    expect(result).toMatchObject({ id: name, followed: false, bytes: { stdout: Buffer.byteLength(out), stderr: Buffer.byteLength(err) } });
    // The same text comes back in the result, for a viewer that attaches after the job ended.
    const output = (result as { output: { stream: string; text: string }[] }).output;
    expect(output.filter((c) => c.stream === "stdout").map((c) => c.text).join("")).toBe(out);
    expect(output.filter((c) => c.stream === "stderr").map((c) => c.text).join("")).toBe(err);
  });

  it("follows the log, streaming new lines until the job is cancelled", async () => {
    const job = recordedJob("docker.logs");
    const twoNewLines = new Promise<void>((resolve) => job.events.on("log", () => lineNumbers(job.text("stdout")).length >= 2 && resolve()));
    const following = handlers["docker.logs"]({ id: name, tail: 0, follow: true }, job.ctx);
    await twoNewLines;
    job.controller.abort(new JobError("cancelled", "user closed the log view"));
    expect(await rejection(following)).toMatchObject({ code: "cancelled" });

    const numbers = lineNumbers(job.text("stdout"));
    expect(numbers.length).toBeGreaterThanOrEqual(2);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    const after = job.logs.length;
    await waitForLines(2);
    expect(job.logs.length).toBe(after);
  });

  it("stops, starts and restarts the container, as inspect confirms", async () => {
    const stopped = await handlers["docker.stop"]({ id: name, timeoutSeconds: 0 }, recordedJob("docker.stop").ctx);
    expect(stopped).toMatchObject({ id: name, changed: true, state: "exited" });
    expect((await inspectState()).Running).toBe(false);
    expect(await handlers["docker.stop"]({ id: name, timeoutSeconds: 0 }, recordedJob("docker.stop").ctx)).toMatchObject({ changed: false, state: "exited" });

    const started = await handlers["docker.start"]({ id: name }, recordedJob("docker.start").ctx);
    expect(started).toMatchObject({ changed: true, state: "running" });
    const before = await inspectState();
    expect(before.Running).toBe(true);

    const restarted = await handlers["docker.restart"]({ id: name, timeoutSeconds: 0 }, recordedJob("docker.restart").ctx);
    expect(restarted).toMatchObject({ changed: true, state: "running" });
    const after = await inspectState();
    expect(after.Running).toBe(true);
    expect(after.StartedAt).not.toBe(before.StartedAt);
  });

  it("measures the container once: CPU, memory, network, block I/O and processes as numbers", async () => {
    const stats = (await handlers["docker.stats"]({ id: name }, recordedJob("docker.stats").ctx)) as ContainerStatsSample;
    for (const key of ["cpuPercent", "memoryBytes", "memoryLimitBytes", "memoryPercent", "netRxBytes", "netTxBytes", "blockReadBytes", "blockWriteBytes", "pids"] as const) {
      expect(Number.isFinite(stats[key]), key).toBe(true);
    }
    expect(stats.pids).toBeGreaterThanOrEqual(1);
    expect(stats.memoryLimitBytes).toBeGreaterThan(0);
  });

  it("answers not_found for a container that does not exist", async () => {
    for (const call of [
      () => handlers["docker.inspect"]({ id: NO_SUCH }, recordedJob("docker.inspect").ctx),
      () => handlers["docker.start"]({ id: NO_SUCH }, recordedJob("docker.start").ctx),
      () => handlers["docker.stop"]({ id: NO_SUCH, timeoutSeconds: 0 }, recordedJob("docker.stop").ctx),
      () => handlers["docker.logs"]({ id: NO_SUCH, tail: 10, follow: false }, recordedJob("docker.logs").ctx),
      () => handlers["docker.stats"]({ id: NO_SUCH }, recordedJob("docker.stats").ctx),
    ]) {
      const err = await rejection(call());
      expect(err).toBeInstanceOf(JobError);
      expect(err).toMatchObject({ code: "not_found" });
    }
  });

  it("reports a pull from an unreachable registry as a failed job", async () => {
    const err = await rejection(handlers["docker.pull"]({ image: "localhost:1/nebula/nope:latest" }, recordedJob("docker.pull").ctx));
    expect(err).toMatchObject({ code: "failed", message: expect.stringContaining("localhost:1") });
  });

  it("answers unavailable when Docker's socket is not there", async () => {
    const offline = dockerHandlers({ socketPath: path.join(stackDir, "no-docker.sock"), stacks: new Map() });
    expect(await rejection(offline["docker.list"]({ all: true }, recordedJob("docker.list").ctx))).toMatchObject({ code: "unavailable" });
  });

  it("refuses compose for a stack that is not configured, and answers unavailable without the docker CLI", async () => {
    expect(await rejection(handlers["docker.compose.up"]({ stack: "games" }, recordedJob("docker.compose.up").ctx))).toMatchObject({ code: "not_found" });
    expect(await rejection(handlers["docker.compose.up"]({ stack: "media" }, recordedJob("docker.compose.up").ctx))).toMatchObject({
      code: "not_found",
      message: expect.stringContaining("no compose.yaml"),
    });
    await writeFile(path.join(stackDir, "compose.yaml"), `services:\n  app:\n    image: ${BUSYBOX_IMAGE}\n    network_mode: none\n`);
    const noCli = dockerHandlers({
      socketPath: peer.socketPath,
      stacks: new Map([["media", stackDir]]),
      composeClis: [{ program: path.join(stackDir, "docker"), subcommand: ["compose"] }],
    });
    for (const kind of ["docker.compose.up", "docker.compose.down"] as const) {
      expect(await rejection(noCli[kind]({ stack: "media" }, recordedJob(kind).ctx))).toMatchObject({ code: "unavailable" });
    }
  });

  it("end to end through the runner: the edge lists, follows the log and cancels, getting output and one result each", async () => {
    const sent: AgentMessage[] = [];
    const arrivals = new EventEmitter<{ sent: [AgentMessage] }>();
    const runner = new JobRunner({
      handlers,
      send: (m) => {
        sent.push(m);
        arrivals.emit("sent", m);
        return true;
      },
    });
    const resultOf = async (id: string): Promise<JobResult> => {
      for (;;) {
        const found = sent.find((m): m is JobResult => m.type === "job_result" && m.id === id);
        if (found) return found;
        await once(arrivals, "sent");
      }
    };
    const job = (id: string, kind: string, params: unknown): JobRequest => ({ type: "job", id, kind, params, deadline: Date.now() + 60_000, requestedBy: { id: "usr_1", name: "Ada" } });

    runner.receive(job("job_d0c0000000000001", "docker.list", {}));
    const listed = await resultOf("job_d0c0000000000001");
    expect(listed.ok && (listed.result as ContainerSummary[]).some((c) => c.names.includes(name))).toBe(true);

    const follow = job("job_d0c0000000000002", "docker.logs", { id: name, tail: 0, follow: true });
    const streamed = new Promise<void>((resolve) => arrivals.on("sent", (m) => m.type === "job_log" && m.id === follow.id && /line \d+/.test(m.data) && resolve()));
    runner.receive(follow);
    await streamed;
    runner.receive({ type: "job_cancel", id: follow.id, reason: "closed" });
    expect(await resultOf(follow.id)).toMatchObject({ ok: false, error: { code: "cancelled" } });
    await runner.idle();
    expect(sent.filter((m) => m.type === "job_result" && m.id === follow.id)).toHaveLength(1);
    expect(sent.filter((m) => m.type === "job_log" && m.id === follow.id).every((m) => m.type === "job_log" && m.data.length <= 64 * 1024)).toBe(true);
  });
});
