// Finds processes that still hold the GPU open (/dev/nvidia*, or the card's /dev/vfio/<group> left by a crashed
// QEMU) by reading every /proc/<pid>/fd link, and ends them: SIGTERM, a grace period, then SIGKILL. Unprivileged,
// the fds of other users' processes cannot be read: those are counted, so "nobody holds it" is never a guess.
import { readdir, readFile, readlink, stat } from "node:fs/promises";
import path from "node:path";
import type { Clock } from "./clock.ts";
import { deviceDir, type GpuLocation } from "./gpu-power.ts";

export interface DeviceHolder {
  pid: number;
  name: string;
  /** The device files it holds, e.g. ["/dev/nvidia0", "/dev/nvidiactl"]. */
  devices: string[];
}

/** /dev/vfio/<n> for the card's IOMMU group, when sysfs says which group that is. */
export async function vfioGroupDevice(gpu: GpuLocation): Promise<string | null> {
  try {
    return `/dev/vfio/${path.basename(await readlink(path.join(deviceDir(gpu), "iommu_group")))}`;
  } catch {
    return null;
  }
}

export function holdsGpu(target: string, vfioDevice: string | null): boolean {
  return /^\/dev\/nvidia(\d+|ctl|-uvm|-uvm-tools|-modeset)$/.test(target) || (vfioDevice !== null && target === vfioDevice);
}

export interface DeviceHolderScan {
  holders: DeviceHolder[];
  /** Processes whose open files we may not read (EACCES/EPERM: another user's, e.g. QEMU's): they may hold it too. */
  unreadable: number;
}

export async function findDeviceHolders(
  procRoot: string,
  vfioDevice: string | null,
  selfPid: number = process.pid,
  readFds: (fdDir: string) => Promise<string[]> = (dir) => readdir(dir),
): Promise<DeviceHolderScan> {
  const holders: DeviceHolder[] = [];
  let unreadable = 0;
  const pids = (await readdir(procRoot)).filter((e) => /^\d+$/.test(e)).map(Number);
  for (const pid of pids.sort((a, b) => a - b)) {
    if (pid === selfPid) continue;
    const fdDir = path.join(procRoot, String(pid), "fd");
    let fds: string[];
    try {
      fds = await readFds(fdDir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EACCES" || code === "EPERM") unreadable++;
      continue; // otherwise it exited meanwhile
    }
    const devices = new Set<string>();
    for (const fd of fds) {
      const target = await readlink(path.join(fdDir, fd)).catch(() => null);
      if (target && holdsGpu(target, vfioDevice)) devices.add(target);
    }
    if (devices.size === 0) continue;
    const name = (await readFile(path.join(procRoot, String(pid), "comm"), "utf8").catch(() => "?")).trim();
    holders.push({ pid, name, devices: [...devices].sort() });
  }
  return { holders, unreadable };
}

export type KillFn = (pid: number, signal: "SIGTERM" | "SIGKILL") => void;

export const processKill: KillFn = (pid, signal) => {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err; // already gone is what we wanted
  }
};

/** A process is gone once its /proc entry is (works for the real /proc and for a fixture tree). */
export const procAlive = (procRoot: string) => async (pid: number) =>
  stat(path.join(procRoot, String(pid)))
    .then(() => true)
    .catch(() => false);

const POLL_MS = 100;

/** Returns the pids that needed SIGKILL. */
export async function endHolders(
  holders: DeviceHolder[],
  options: { kill: KillFn; isAlive(pid: number): Promise<boolean>; graceMs: number; clock: Clock; signal: AbortSignal },
): Promise<number[]> {
  const { kill, isAlive, clock, signal } = options;
  for (const h of holders) kill(h.pid, "SIGTERM");
  let alive = holders.map((h) => h.pid);
  const until = clock.now() + options.graceMs;
  while (true) {
    alive = (await Promise.all(alive.map(async (pid) => ((await isAlive(pid)) ? pid : null)))).filter((p) => p !== null);
    if (alive.length === 0 || clock.now() >= until) break;
    await clock.sleep(POLL_MS, signal);
  }
  for (const pid of alive) kill(pid, "SIGKILL");
  return alive;
}
