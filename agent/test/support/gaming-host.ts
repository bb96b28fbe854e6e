// A gaming host for tests: a fixture sysfs/proc tree with the GPU in it, libvirt and the container engine as small
// in-memory ports that record their calls, and a virtual clock, so gaming mode runs its real steps without waiting.
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Clock } from "../../src/gaming/clock.ts";
import { type GamingConfig, loadGamingConfig } from "../../src/gaming/gaming-config.ts";
import type { GpuContainers } from "../../src/gaming/gpu-containers.ts";
import { realSysfs, type SysfsAccess } from "../../src/gaming/gpu-power.ts";
import type { VmPort } from "../../src/gaming/libvirt-vm.ts";

export const GPU = "0000:01:00.0";

/** Virtual time: sleeps advance it at once and fire the timeouts that fall due, in order. */
export function virtualClock() {
  let now = 0;
  const timers: { at: number; controller: AbortController }[] = [];
  const slept: number[] = [];
  const clock: Clock = {
    now: () => now,
    timeout(ms) {
      const controller = new AbortController();
      timers.push({ at: now + ms, controller });
      return controller.signal;
    },
    async sleep(ms, signal) {
      signal.throwIfAborted();
      slept.push(ms);
      now += ms;
      for (const t of timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)) {
        timers.splice(timers.indexOf(t), 1);
        t.controller.abort(new DOMException("virtual timeout", "TimeoutError"));
      }
      await new Promise((resolve) => setImmediate(resolve));
      signal.throwIfAborted();
    },
  };
  return { clock, slept };
}

/** The container engine's side: which containers run, and every call gaming mode made. */
export function containerEngine(running: string[]) {
  const state = new Set(running);
  const calls: string[] = [];
  const port: GpuContainers = {
    listRunning: async () => [...state],
    stop: async (name) => {
      calls.push(`stop ${name}`);
      state.delete(name);
    },
    start: async (name) => {
      calls.push(`start ${name}`);
      state.add(name);
    },
  };
  return { port, running: state, calls };
}

/** libvirt's side; `ignoresShutdown` is a guest that never acts on ACPI shutdown. */
export function libvirt(initial: string, options: { ignoresShutdown?: boolean } = {}) {
  let state = initial;
  const calls: string[] = [];
  const port: VmPort = {
    state: async () => state,
    start: async (name) => {
      calls.push(`start ${name}`);
      state = "running";
    },
    shutdown: async (name) => {
      calls.push(`shutdown ${name}`);
      if (!options.ignoresShutdown) state = "shut off";
    },
    destroy: async (name) => {
      calls.push(`destroy ${name}`);
      state = "shut off";
    },
  };
  return { port, calls, state: () => state };
}

export interface GamingHost {
  root: string;
  sysfsRoot: string;
  procRoot: string;
  /** sysfs writes, as [path below sysfs root, data]. */
  writes: [string, string][];
  sysfs: SysfsAccess;
  addProcess(pid: number, name: string, fds: string[]): Promise<void>;
  remove(): Promise<void>;
}

/** A host tree: the GPU in sysfs (power_state, remove, iommu group 12), the PCI rescan file, and /proc. */
export async function fixtureHost(power: string, recoverAfterRescans: number | "never" = "never"): Promise<GamingHost> {
  const root = await mkdtemp(path.join(os.tmpdir(), "nebula-gaming-"));
  const sysfsRoot = path.join(root, "sys");
  const procRoot = path.join(root, "proc");
  const dev = path.join(sysfsRoot, "bus", "pci", "devices", GPU);
  await mkdir(dev, { recursive: true });
  await mkdir(path.join(sysfsRoot, "kernel", "iommu_groups", "12"), { recursive: true });
  await symlink("../../../../kernel/iommu_groups/12", path.join(dev, "iommu_group"));
  await writeFile(path.join(dev, "power_state"), `${power}\n`);
  await writeFile(path.join(dev, "remove"), "");
  await writeFile(path.join(sysfsRoot, "bus", "pci", "rescan"), "");
  await mkdir(procRoot);
  const writes: [string, string][] = [];
  let rescans = 0;
  const host: GamingHost = {
    root,
    sysfsRoot,
    procRoot,
    writes,
    // The kernel's part: the card comes back in D0 on the Nth rescan.
    sysfs: {
      read: realSysfs.read,
      async write(file, data) {
        await realSysfs.write(file, data);
        writes.push([path.relative(sysfsRoot, file), data]);
        if (file.endsWith("/rescan") && ++rescans === recoverAfterRescans) await writeFile(path.join(dev, "power_state"), "D0\n");
      },
    },
    async addProcess(pid, name, fds) {
      const fdDir = path.join(procRoot, String(pid), "fd");
      await mkdir(fdDir, { recursive: true });
      await writeFile(path.join(procRoot, String(pid), "comm"), `${name}\n`);
      for (const [i, target] of fds.entries()) await symlink(target, path.join(fdDir, String(i + 3)));
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
  await host.addProcess(1, "systemd", ["/dev/null", "socket:[1234]"]);
  return host;
}

/** Gaming mode configured for a fixture host: plex, jellyfin and ollama give up the GPU; Sunshine gets 30 s. */
export function gamingConfig(host: GamingHost, sunshineUrl: string, extra: Record<string, string> = {}): GamingConfig {
  const config = loadGamingConfig({
    GPU_PCI_ADDRESS: GPU,
    SUNSHINE_URL: sunshineUrl,
    SYSFS_ROOT: host.sysfsRoot,
    PROC_ROOT: host.procRoot,
    NEBULA_STATE_DIR: path.join(host.root, "state"),
    GAMING_STOP_CONTAINERS: "plex,jellyfin,ollama",
    GAMING_SUNSHINE_TIMEOUT_S: "30",
    ...extra,
  });
  if (!config) throw new Error("gaming config expected");
  return config;
}
