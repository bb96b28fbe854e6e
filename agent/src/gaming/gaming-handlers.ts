// gaming.* job handlers, wired to the real host: Docker Engine socket, virsh, sysfs, /proc and signals, or for the
// root-only steps the nebula-agent-gpu-reset@ / -gpu-release@ units (NEBULA_PRIVILEGED=systemd).
import { readdir } from "node:fs/promises";
import type { JobResultHandlers } from "@nebula/schema/wire/job-results";
import { type CommandRunner, execFileRunner } from "../host/command-runner.ts";
import { type JobContext, JobError } from "../jobs/job-handler.ts";
import { systemClock } from "./clock.ts";
import { procAlive, processKill } from "./device-holders.ts";
import type { GamingConfig } from "./gaming-config.ts";
import { gpuReleaseUnit, gpuResetUnit, startRootUnit } from "../privileged/root-actions.ts";
import { GamingHolds } from "./gaming-holds.ts";
import { disableGamingMode, enableGamingMode, type GamingDeps, type GpuRootActions, gamingStatus } from "./gaming-mode.ts";
import { type GamingState, GamingStateFile } from "./gaming-state.ts";
import { dockerGpuContainers } from "./gpu-containers.ts";
import { realSysfs } from "./gpu-power.ts";
import { virshVm } from "./libvirt-vm.ts";

/** Each root step is one `systemctl start` (a oneshot unit: it returns when the step is done) of a unit named from the configured PCI address, never from a job. */
export function systemdGpuActions(run: CommandRunner = execFileRunner): GpuRootActions {
  return {
    reset: (gpu, _present, signal) => startRootUnit(run, gpuResetUnit(gpu.pciAddress), signal),
    async release(gpu, signal) {
      const unit = gpuReleaseUnit(gpu.pciAddress);
      await startRootUnit(run, unit, signal);
      return unit;
    },
  };
}

export function gamingDeps(config: GamingConfig): GamingDeps {
  return {
    containers: dockerGpuContainers(config.dockerSocket),
    vm: virshVm({ uri: config.libvirtUri }),
    sysfs: realSysfs,
    kill: processKill,
    isAlive: procAlive(config.procRoot),
    clock: systemClock,
    state: new GamingStateFile(config.stateDir),
    selfPid: process.pid,
    readFds: (dir) => readdir(dir),
    gpuRoot: config.privileged === "systemd" ? systemdGpuActions() : null,
    holds: new GamingHolds(),
  };
}

export function gamingHandlers(
  config: GamingConfig,
  overrides: Partial<GamingDeps> = {},
): JobResultHandlers<"gaming.status" | "gaming.enable" | "gaming.disable", JobContext> {
  const deps = { ...gamingDeps(config), ...overrides };
  // Every read and write of the state file is mirrored into the holds, so the collectors see what gaming mode holds,
  // from the file as the agent starts (the VM may own the card already) to each container it stops or starts.
  const file = deps.state;
  const mirror = (state: GamingState) => {
    deps.holds.record(state);
    return state;
  };
  deps.state = { read: () => file.read().then(mirror), write: (state) => file.write(state).then(() => void mirror(state)) };
  void deps.state.read().catch(() => {}); // an unreadable file is reported by the first gaming job
  // The VM collector leaves this VM out while gaming mode is off: shut off is where it belongs then, not "VM down".
  deps.holds.watchGamingVm(config.vmName);
  // One switch at a time: two enables racing would each think the other's stopped containers were theirs.
  let switching: string | null = null;
  const exclusive = async <T>(kind: string, work: () => Promise<T>): Promise<T> => {
    if (switching) throw new JobError("failed", `Gaming mode is already being switched (${switching} in progress)`);
    switching = kind;
    // nvidia-smi stays off the card for the whole switch, rollback included: libvirt cannot detach a card that a
    // process has open, and a card being rescanned or reset is no better.
    let release = () => {};
    try {
      release = await deps.holds.beginSwitch();
      return await work();
    } finally {
      release();
      switching = null;
    }
  };
  return {
    "gaming.status": (_params, ctx) => gamingStatus(config, deps, ctx.signal),
    "gaming.enable": (_params, ctx) => exclusive("gaming.enable", () => enableGamingMode(config, deps, ctx)),
    "gaming.disable": (_params, ctx) => exclusive("gaming.disable", () => disableGamingMode(config, deps, ctx)),
  };
}
