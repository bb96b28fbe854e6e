// The bundled agent as the installed unit runs it: the same Node flags (--lite-mode leaves out WebAssembly) and
// malloc environment as install.sh's ExecStart, against a fake edge and a local Plex. A probe must answer up.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AgentMessage, EdgeMessage, JobResult, MetricsBatch } from "@nebula/schema/wire/agent";
import type { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeService, startFakeService } from "../../test/fakes/homelab-services.ts";
import { bundleAgent } from "../scripts/bundle.ts";
import { FakeEdge } from "./support/fake-edge.ts";

const INSTALL_SH = readFileSync(fileURLToPath(new URL("../install/install.sh", import.meta.url)), "utf8");
const TOKEN = `nca_${"u".repeat(43)}`;

/** The flags between the node binary and the bundle in the unit's ExecStart line, read from install.sh itself. */
function unitNodeFlags(): string[] {
  const line = /^ExecStart=\$\{NODE_BIN\} (.*) \$\{APP_DIR\}\/nebula-agent\.mjs$/m.exec(INSTALL_SH);
  if (!line?.[1]) throw new Error("install.sh has no ExecStart line for the agent");
  return line[1].split(" ");
}

/** The unit's MALLOC_* Environment= assignments. */
function unitMallocEnv(): Record<string, string> {
  const line = /^Environment=(MALLOC_.*)$/m.exec(INSTALL_SH);
  if (!line?.[1]) throw new Error("install.sh sets no MALLOC_* environment");
  return Object.fromEntries(line[1].split(" ").map((pair) => pair.split("=") as [string, string]));
}

describe("the bundled agent under the systemd unit's flags", () => {
  let bundle: string;
  let edge: FakeEdge;
  let plex: FakeService;
  let agent: ChildProcess;
  let stderr = "";

  beforeAll(async () => {
    ({ outfile: bundle } = await bundleAgent(path.join(mkdtempSync(path.join(os.tmpdir(), "nebula-bundle-")), "nebula-agent.mjs")));
    edge = await FakeEdge.start(TOKEN);
    plex = await startFakeService({ kind: "plex", machineIdentifier: "unit1", version: "1.41.3" });
  }, 120_000);

  afterAll(async () => {
    if (agent && agent.exitCode === null && agent.signalCode === null) {
      const exited = once(agent, "exit");
      agent.kill("SIGTERM");
      await exited;
    }
    await edge?.close();
    await plex?.close();
  });

  it("runs without WebAssembly, as the unit's flags demand", () => {
    const probe = spawnSync(process.execPath, [...unitNodeFlags(), "-e", "process.stdout.write(typeof WebAssembly)"], { encoding: "utf8" });
    // If this ever says "object", the test below no longer proves anything about --lite-mode.
    expect(probe.stdout).toBe("undefined");
  });

  it("calls no global fetch anywhere: Node's fetch (undici) needs the WebAssembly the unit turns off", () => {
    // `x.fetch(` (a method) and "git fetch" (an argument) are fine; a bare fetch( is the global.
    expect(readFileSync(bundle, "utf8").match(/(?<![.\w$"'`])fetch\(/g)).toBeNull();
  });

  it("probes a configured service up, with a latency, in a job and in its metrics", async () => {
    const spoolDir = mkdtempSync(path.join(os.tmpdir(), "nebula-agent-spool-"));
    const hello = once(edge, "hello");
    agent = spawn(process.execPath, [...unitNodeFlags(), bundle], {
      env: {
        PATH: process.env.PATH ?? "",
        ...unitMallocEnv(),
        NEBULA_EDGE_URL: edge.url,
        NEBULA_AGENT_TOKEN: TOKEN,
        NEBULA_SPOOL_DIR: spoolDir,
        DOCKER_SOCKET: path.join(spoolDir, "no-docker.sock"),
        NEBULA_PROBES: `media=plex:${plex.url}`,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    agent.stdout?.on("data", (chunk) => (stdout += chunk));
    agent.stderr?.on("data", (chunk) => (stderr += chunk));
    // Fails whatever is awaited against it, with the agent's output, if the agent dies first.
    const exited = once(agent, "exit").then(([code]) => {
      throw new Error(`the agent exited (${code}): ${stderr}\n${stdout.slice(-2000)}`);
    });
    exited.catch(() => {}); // its stop at the end of the file is no failure
    const [, socket] = (await Promise.race([hello, exited])) as [unknown, WebSocket];
    const send = (message: EdgeMessage) => socket.send(JSON.stringify(message));

    // Everything the agent sends from here on, acking metrics as the hub does.
    const received: AgentMessage[] = [];
    const arrived = (match: (m: AgentMessage) => boolean) =>
      new Promise<AgentMessage>((resolve) => {
        const found = received.find(match);
        if (found) return resolve(found);
        const listen = (m: AgentMessage) => {
          if (!match(m)) return;
          edge.off("agentMessage", listen);
          resolve(m);
        };
        edge.on("agentMessage", listen);
      });
    edge.on("agentMessage", (m) => {
      received.push(m);
      if (m.type === "metrics") send({ type: "metrics_ack", seq: m.seq });
    });

    // A viewer's probe job, by name.
    send({ type: "job", id: "job_0000000000000001", kind: "host.probe", params: { probe: "media" }, deadline: Date.now() + 60_000, requestedBy: { id: "usr_1", name: "viewer" } });
    const result = (await Promise.race([arrived((m) => m.type === "job_result"), exited])) as JobResult;
    expect(result).toMatchObject({ ok: true, result: { up: true, status: 200, detail: "Plex 1.41.3" } });
    expect((result as Extract<JobResult, { ok: true }>).result).toHaveProperty("latencyMs", expect.any(Number));

    // The metrics the "service probe failing" rule reads: a live interval brings the next sample soon.
    send({ type: "set_interval", seconds: 1 });
    const withProbe = (m: AgentMessage) => m.type === "metrics" && m.samples.some((s) => s.values["probe.media.up"] !== undefined);
    const batch = (await Promise.race([arrived(withProbe), exited])) as MetricsBatch;
    const sample = batch.samples.find((s) => s.values["probe.media.up"] !== undefined);
    expect(sample?.values["probe.media.up"]).toBe(1);
    expect(sample?.values["probe.media.latency_ms"]).toEqual(expect.any(Number));
    expect(plex.requests.length).toBeGreaterThanOrEqual(2);
    expect(stderr).not.toContain("WebAssembly");
  });
});
