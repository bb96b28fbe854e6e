// A real Docker Engine API for tests, served by podman on a unique unix socket (ENVIRONMENT.md, "Docker Engine
// API, for real, without Docker"), with a busybox image imported from busybox-static, since no registry is reachable.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdir, mkdtemp, rm, symlink, writeFile, copyFile, chmod } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { findOnPath } from "./peers.ts";

/** Imported on first use; containers from it must run with HostConfig.NetworkMode "none". */
export const BUSYBOX_IMAGE = "localhost/busybox:test";

export interface PodmanPeer {
  /** The Docker-API socket (give it to dockerode or DOCKER_SOCKET). */
  socketPath: string;
  /** Stops the service and removes its socket and configuration. */
  stop(): Promise<void>;
}

function run(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(program, args, { env, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code as number) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function exitOf(child: ChildProcess, what: string, stderr: () => string): Promise<void> {
  const [code] = (await once(child, "close")) as [number | null];
  if (code !== 0) throw new Error(`${what} exited with ${code}: ${stderr()}`);
}

/** rootfs = busybox-static + one symlink per applet, piped as a tar into `podman import`. */
async function importBusybox(env: NodeJS.ProcessEnv): Promise<void> {
  const busybox = findOnPath("busybox");
  if (!busybox) throw new Error("busybox is not installed: run `npm run setup:peers`");
  const rootfs = await mkdtemp(path.join(os.tmpdir(), "nebula-busybox-rootfs-"));
  try {
    for (const dir of ["bin", "etc", "tmp", "proc", "sys", "dev"]) await mkdir(path.join(rootfs, dir));
    await copyFile(busybox, path.join(rootfs, "bin/busybox"));
    await chmod(path.join(rootfs, "bin/busybox"), 0o755);
    const applets = await run(busybox, ["--list"], env);
    if (applets.code !== 0) throw new Error(`busybox --list failed: ${applets.stderr}`);
    for (const applet of applets.stdout.split("\n").map((a) => a.trim())) {
      if (applet && applet !== "busybox") await symlink("busybox", path.join(rootfs, "bin", applet));
    }
    await writeFile(path.join(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    await writeFile(path.join(rootfs, "etc/group"), "root:x:0:\n");

    const tar = spawn("tar", ["-C", rootfs, "-c", "."], { stdio: ["ignore", "pipe", "pipe"] });
    const podman = spawn("podman", ["import", "--change", "CMD /bin/sh", "-", BUSYBOX_IMAGE], { env, stdio: ["pipe", "ignore", "pipe"] });
    let tarErr = "";
    let importErr = "";
    tar.stderr.on("data", (c) => (tarErr += c));
    podman.stderr.on("data", (c) => (importErr += c));
    tar.stdout.pipe(podman.stdin);
    await Promise.all([exitOf(tar, "tar", () => tarErr), exitOf(podman, "podman import", () => importErr)]);
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
}

/** Starts `podman system service` on a fresh socket and resolves once it is listening. */
export async function startPodman(): Promise<PodmanPeer> {
  const confDir = await mkdtemp(path.join(os.tmpdir(), "nebula-podman-"));
  // crun and podman's default ulimits fail here (setrlimit): no default ulimits, runc, cgroupfs.
  const containersConf = path.join(confDir, "containers.conf");
  await writeFile(containersConf, "[containers]\ndefault_ulimits = []\n");
  const env = { ...process.env, CONTAINERS_CONF: containersConf };
  const socketPath = `/tmp/nebula-podman-${randomBytes(6).toString("hex")}.sock`;

  if ((await run("podman", ["image", "exists", BUSYBOX_IMAGE], env)).code !== 0) await importBusybox(env);

  // --log-level=info makes podman announce "API service listening on …" once its listener is open: the event to wait on.
  const service = spawn("podman", ["--log-level=info", "--runtime", "runc", "--cgroup-manager=cgroupfs", "system", "service", "--time=0", `unix://${socketPath}`], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("API service listening")) {
        service.stderr.off("data", onData);
        // Keep draining so the service never blocks on a full pipe.
        service.stderr.resume();
        resolve();
      }
    };
    service.stderr.on("data", onData);
    service.once("error", reject);
    service.once("exit", (code) => reject(new Error(`podman system service exited with ${code}: ${output}`)));
  });

  return {
    socketPath,
    async stop() {
      if (service.exitCode === null && service.signalCode === null) {
        const exited = once(service, "exit");
        service.kill("SIGTERM");
        await exited;
      }
      await rm(socketPath, { force: true });
      await rm(confDir, { recursive: true, force: true });
    },
  };
}
