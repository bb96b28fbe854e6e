// docker.compose.up/down and deploy.run for real: the agent's own handlers (built from its environment, as main
// does) run the host's compose CLI against podman's Docker API, and a push to a git origin is pulled and brought up.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_IMAGE, type PodmanPeer, startPodman } from "../../test/peers/podman.ts";
import { peerMissing } from "../../test/peers/peers.ts";
import { parseAgentConfig } from "../src/config/config.ts";
import { buildJobHandlers } from "../src/jobs/agent-handlers.ts";
import type { JobHandlers } from "../src/jobs/job-handler.ts";
import { recordedJob } from "./support/job-context.ts";

const missing = peerMissing("compose");
const TOKEN = `nca_${"c".repeat(43)}`;
const WORKING_DIR_LABEL = "com.docker.compose.project.working_dir";

/** A one-service stack; SIGKILL because busybox `sleep` as PID 1 ignores SIGTERM, and down would wait out the 10 s grace. */
function composeFile(command: string): string {
  return `services:\n  app:\n    image: ${BUSYBOX_IMAGE}\n    command: ${command}\n    network_mode: none\n    stop_signal: SIGKILL\n`;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "init.defaultBranch=main", ...args], { cwd, encoding: "utf8" }).trim();

describe.skipIf(missing)(missing ?? "compose and deploy jobs with the host's compose CLI against a real Docker Engine API (podman)", () => {
  let peer: PodmanPeer;
  let docker: Docker;
  let root: string;
  let stackDir: string;
  let upstream: string;
  let checkout: string;
  let handlers: JobHandlers;

  /** The containers compose made for a project directory, as the Engine API lists them. */
  function containersOf(dir: string) {
    return docker.listContainers({ all: true, filters: { label: [`${WORKING_DIR_LABEL}=${dir}`] } });
  }

  function push(file: string, content: string): string {
    writeFileSync(path.join(upstream, file), content);
    git(upstream, "add", file);
    git(upstream, "commit", "-qm", `change ${file}`);
    git(upstream, "push", "-q", "origin", "HEAD:main");
    return git(upstream, "rev-parse", "HEAD");
  }

  beforeAll(async () => {
    peer = await startPodman();
    docker = new Docker({ socketPath: peer.socketPath });
    root = await mkdtemp(path.join(os.tmpdir(), "nebula-compose-"));
    // Compose names a project after its directory, and podman's containers are shared by every socket on this
    // machine: unique directory names keep parallel runs apart.
    const unique = path.basename(root).replace(/[^a-z0-9]/gi, "").toLowerCase();
    stackDir = path.join(root, `media${unique}`);
    upstream = path.join(root, "upstream");
    checkout = path.join(root, `site${unique}`);
    await mkdir(stackDir);
    await writeFile(path.join(stackDir, "compose.yaml"), composeFile("sleep 3600"));

    git(root, "init", "-q", "--bare", "origin.git");
    git(root, "init", "-q", upstream);
    git(upstream, "remote", "add", "origin", path.join(root, "origin.git"));
    push("README", "v1\n");
    git(root, "clone", "-q", "--branch", "main", "origin.git", checkout);

    const env = {
      NEBULA_EDGE_URL: "https://nebula.example.com",
      NEBULA_AGENT_TOKEN: TOKEN,
      DOCKER_SOCKET: peer.socketPath,
      NEBULA_STACKS: `media=${stackDir}`,
      NEBULA_REPOS: `site=${checkout}`,
    };
    handlers = buildJobHandlers(parseAgentConfig(env), env);
  });

  afterAll(async () => {
    for (const dir of [stackDir, checkout].filter(Boolean)) {
      for (const c of await containersOf(dir).catch(() => [])) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
    await peer?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("brings a configured stack up (its container runs) and down (its container is gone)", async () => {
    const up = recordedJob("docker.compose.up");
    const result = await handlers["docker.compose.up"]?.({ stack: "media" }, up.ctx);
    expect(result).toEqual({ stack: "media", action: "up", composeFile: path.join(stackDir, "compose.yaml") });
    expect(up.progress.map((p) => `${p.step}:${p.status}`)).toEqual(["compose up:running", "compose up:ok"]);
    // Whichever CLI this host has (plugin or standalone), the job says which one ran.
    expect(up.progress[0]?.message).toMatch(/^(docker compose|docker-compose) -f \S+compose\.yaml up -d$/);

    const [running, ...others] = await containersOf(stackDir);
    expect(others).toEqual([]);
    expect(running).toMatchObject({ State: "running", Labels: expect.objectContaining({ "com.docker.compose.service": "app" }) });
    const inspected = await docker.getContainer(running?.Id ?? "").inspect();
    expect(inspected.State.Running).toBe(true);
    expect(inspected.Config.Cmd).toEqual(["sleep", "3600"]);
    expect(inspected.HostConfig.NetworkMode).toBe("none");

    const down = recordedJob("docker.compose.down");
    expect(await handlers["docker.compose.down"]?.({ stack: "media" }, down.ctx)).toMatchObject({ stack: "media", action: "down" });
    expect(down.progress.at(-1)).toMatchObject({ step: "compose down", status: "ok" });
    expect(await containersOf(stackDir)).toEqual([]);
  });

  it("deploys a push: pulls the commit that adds a compose file and brings it up, then a change to it recreates the container", async () => {
    const before = git(checkout, "rev-parse", "HEAD");
    const first = push("compose.yaml", composeFile("sleep 3600"));
    const job = recordedJob("deploy.run");
    expect(await handlers["deploy.run"]?.({ repo: "site" }, job.ctx)).toEqual({ repo: "site", before, after: first, changed: true, compose: "up" });
    expect(job.progress.map((p) => `${p.step}:${p.status}`)).toEqual(["pull:running", "pull:ok", "compose up:running", "compose up:ok"]);
    const [deployed] = await containersOf(checkout);
    expect(deployed).toMatchObject({ State: "running" });
    expect((await docker.getContainer(deployed?.Id ?? "").inspect()).Config.Cmd).toEqual(["sleep", "3600"]);

    const second = push("compose.yaml", composeFile("sleep 3601"));
    expect(await handlers["deploy.run"]?.({ repo: "site" }, recordedJob("deploy.run").ctx)).toEqual({ repo: "site", before: first, after: second, changed: true, compose: "up" });
    const [redeployed, ...others] = await containersOf(checkout);
    expect(others).toEqual([]);
    expect(redeployed).toMatchObject({ State: "running" });
    expect(redeployed?.Id).not.toBe(deployed?.Id);
    expect((await docker.getContainer(redeployed?.Id ?? "").inspect()).Config.Cmd).toEqual(["sleep", "3601"]);
  });
});
