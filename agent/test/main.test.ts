// The agent as systemd runs it: a process configured by environment, connected until SIGTERM.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CLOSE_CODES } from "@nebula/schema/wire/agent";
import { afterEach, describe, expect, it } from "vitest";
import { FakeEdge } from "./support/fake-edge.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const TOKEN = `nca_${"m".repeat(43)}`;
const edges: FakeEdge[] = [];

afterEach(async () => {
  for (const edge of edges.splice(0)) await edge.close();
});

function runAgent(env: Record<string, string>) {
  const spoolDir = mkdtempSync(path.join(os.tmpdir(), "nebula-agent-spool-"));
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? "", NEBULA_SPOOL_DIR: spoolDir, DOCKER_SOCKET: path.join(spoolDir, "no-docker.sock"), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = once(child, "exit").then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { child, exited };
}

describe("nebula agent main", () => {
  it("refuses to start without its configuration, naming each missing variable", async () => {
    const { code, stderr } = await runAgent({}).exited;
    expect(code).toBe(78);
    expect(stderr).toContain("NEBULA_EDGE_URL is required but not set");
    expect(stderr).toContain("NEBULA_AGENT_TOKEN is required but not set");
  });

  it("connects to the edge, and on SIGTERM closes the link with 1000 and exits 0", async () => {
    const edge = await FakeEdge.start(TOKEN);
    edges.push(edge);
    const hello = once(edge, "hello");
    const { child, exited } = runAgent({ NEBULA_EDGE_URL: edge.url, NEBULA_AGENT_TOKEN: TOKEN });

    // A crash before connecting fails the test at once, with the agent's own output.
    const [received] = await Promise.race([
      hello,
      exited.then(({ code, stderr }) => {
        throw new Error(`agent exited (${code}) before saying hello: ${stderr}`);
      }),
    ]);
    expect(received).toMatchObject({ type: "hello", protocol: 1 });
    // Its first metrics batch follows: real numbers read from this host.
    const [batch] = await once(edge, "agentMessage", { signal: AbortSignal.timeout(20_000) });
    expect(batch).toMatchObject({ type: "metrics", seq: 1 });
    expect(typeof batch.samples[0].values["mem.used_pct"]).toBe("number");
    const closed = once(edge, "closed");
    child.kill("SIGTERM");

    expect((await closed)[0]).toMatchObject({ code: CLOSE_CODES.normal });
    const { code, stdout } = await exited;
    expect(code).toBe(0);
    expect(stdout).not.toContain(TOKEN);
    expect(stdout).toContain('"msg":"stopping"');
  });
});
