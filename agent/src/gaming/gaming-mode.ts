// Gaming mode: hand the RTX card to the Windows VM and take it back. Enabling is a fixed sequence of steps, each
// with its own timeout, reported live; when one fails, times out or the job is cancelled, the steps already begun
// are undone in reverse (VM stopped if we started it, containers we stopped started again), each reported.
import type { GamingStatus, PowerState } from "@nebula/schema/wire/job-results";
import type { JobContext } from "../jobs/job-handler.ts";
import { JobError } from "../jobs/job-handler.ts";
import type { Clock } from "./clock.ts";
import { endHolders, findDeviceHolders, type KillFn, vfioGroupDevice } from "./device-holders.ts";
import type { GamingConfig } from "./gaming-config.ts";
import type { GamingHolds } from "./gaming-holds.ts";
import { type GamingState, type GamingStateFile, OFF } from "./gaming-state.ts";
import type { GpuContainers } from "./gpu-containers.ts";
import { type GpuLocation, type PciReset, readPowerState, recoverFromD3cold, type SysfsAccess } from "./gpu-power.ts";
import type { VmPort } from "./libvirt-vm.ts";
import { waitForSunshine } from "./sunshine-health.ts";

export type { GamingStatus } from "@nebula/schema/wire/job-results";

/** The root-only GPU steps done by systemd units (NEBULA_PRIVILEGED=systemd); null does them in-process. */
export interface GpuRootActions {
  reset: PciReset;
  /** Ends every process holding the card, as root; returns the unit that did it (its journal lists them). */
  release(gpu: GpuLocation, signal: AbortSignal): Promise<string>;
}

export interface GamingDeps {
  containers: GpuContainers;
  vm: VmPort;
  sysfs: SysfsAccess;
  kill: KillFn;
  isAlive(pid: number): Promise<boolean>;
  clock: Clock;
  state: Pick<GamingStateFile, "read" | "write">;
  /** What gaming mode holds right now, for the metrics collectors: the card during a switch, the containers it stopped. */
  holds: GamingHolds;
  /** Our own pid is never a stale GPU holder. */
  selfPid: number;
  /** Lists /proc/<pid>/fd; unprivileged, another user's process answers EACCES. */
  readFds(fdDir: string): Promise<string[]>;
  gpuRoot: GpuRootActions | null;
}

type StepOutcome = string | { skipped: string };

interface Step {
  name: string;
  timeoutMs: number;
  run(signal: AbortSignal): Promise<StepOutcome>;
  /** Undoes what `run` recorded it did, even if `run` failed halfway. */
  rollback?(signal: AbortSignal): Promise<string>;
  rollbackTimeoutMs?: number;
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));
const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** Rejects as soon as `signal` aborts, so a step that ignores its signal still cannot hold the job. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {}); // its own rejection (the same abort) is not news
    return Promise.reject(signal.reason);
  }
  let onAbort = () => {};
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener("abort", onAbort));
}

async function rollBack(begun: Step[], ctx: JobContext, clock: Clock): Promise<void> {
  for (const step of [...begun].reverse()) {
    if (!step.rollback) continue;
    // Not tied to the job's signal: a cancelled or timed-out job must still undo what it did.
    const signal = clock.timeout(step.rollbackTimeoutMs ?? step.timeoutMs);
    try {
      ctx.progress(step.name, "rolled_back", await untilAborted(step.rollback(signal), signal));
    } catch (err) {
      ctx.progress(step.name, "failed", `rollback failed: ${signal.aborted ? `did not finish within ${seconds(step.rollbackTimeoutMs ?? step.timeoutMs)}` : describe(err)}`);
    }
  }
}

/** Runs steps in order; on the first failure rolls back every begun step and throws the JobError. */
async function runSteps(steps: Step[], ctx: JobContext, clock: Clock): Promise<void> {
  const begun: Step[] = [];
  for (const step of steps) {
    const timeout = clock.timeout(step.timeoutMs);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    begun.push(step);
    ctx.progress(step.name, "running", "started");
    try {
      const outcome = await untilAborted(step.run(signal), signal);
      if (typeof outcome === "string") ctx.progress(step.name, "ok", outcome);
      else ctx.progress(step.name, "skipped", outcome.skipped);
    } catch (err) {
      const [code, message] = ctx.signal.aborted
        ? ([ctx.signal.reason instanceof DOMException && ctx.signal.reason.name === "TimeoutError" ? "timeout" : "cancelled", `${step.name}: the job was cancelled or ran out of time`] as const)
        : timeout.aborted
          ? (["timeout", `${step.name}: did not finish within ${seconds(step.timeoutMs)}`] as const)
          : (["failed", `${step.name}: ${describe(err)}`] as const);
      ctx.progress(step.name, "failed", message);
      await rollBack(begun, ctx, clock);
      throw new JobError(code, message);
    }
  }
}

/** Asks the guest to shut down and waits for "shut off"; pulls the plug if it has not within `waitMs`. */
async function shutDownVm(config: GamingConfig, deps: GamingDeps, signal: AbortSignal, report: (message: string) => void): Promise<string> {
  const { vm, clock } = deps;
  const name = config.vmName;
  if ((await vm.state(name, signal)) === "shut off") return `${name} is already shut off`;
  await vm.shutdown(name, signal);
  report(`asked ${name} to shut down`);
  const until = clock.now() + config.timeouts.vmShutdownMs;
  for (let poll = 1; clock.now() < until; poll++) {
    await clock.sleep(Math.min(1_000 * poll, 5_000), signal);
    if ((await vm.state(name, signal)) === "shut off") return `${name} shut down`;
  }
  // Last resort: a Windows guest stuck on an update screen ignores ACPI; the GPU must come back regardless.
  await vm.destroy(name, signal);
  return `${name} did not shut down within ${seconds(config.timeouts.vmShutdownMs)}; forced off`;
}

export async function gamingStatus(config: GamingConfig, deps: GamingDeps, signal: AbortSignal): Promise<GamingStatus> {
  const [state, vm, gpuPowerState] = await Promise.all([
    deps.state.read(),
    deps.vm.state(config.vmName, signal).catch((err: unknown) => `unknown (${describe(err)})`),
    readPowerState({ sysfsRoot: config.sysfsRoot, pciAddress: config.gpuPciAddress }, deps.sysfs),
  ]);
  return { mode: state.mode, vm, gpuPowerState, stoppedContainers: state.stoppedContainers, vmStartedByGaming: state.vmStartedByGaming, since: state.since };
}

export async function enableGamingMode(config: GamingConfig, deps: GamingDeps, ctx: JobContext): Promise<GamingStatus> {
  const { clock, containers, vm } = deps;
  const gpu = { sysfsRoot: config.sysfsRoot, pciAddress: config.gpuPciAddress };
  const t = config.timeouts;
  const state = await deps.state.read();
  const save = (patch: Partial<GamingState>) => deps.state.write(Object.assign(state, patch));
  const previousMode = state.mode;
  const stoppedNow: string[] = [];
  let vmStartedNow = false;
  let vmRunningBefore = false;
  let power: PowerState = "unknown";

  const steps: Step[] = [
    {
      name: "preflight",
      timeoutMs: t.vmStartMs,
      run: async (signal) => {
        const vmState = await vm.state(config.vmName, signal);
        vmRunningBefore = vmState === "running";
        return `${config.vmName} is ${vmState}`;
      },
    },
    {
      name: "containers",
      timeoutMs: t.containersMs,
      run: async (signal) => {
        const running = new Set(await containers.listRunning(signal));
        const idle = config.stopContainers.filter((c) => !running.has(c));
        for (const name of config.stopContainers.filter((c) => running.has(c))) {
          ctx.progress("containers", "running", `stopping ${name}`);
          deps.holds.holdContainer(name);
          await containers.stop(name, signal);
          stoppedNow.push(name);
          // Persist after each stop: an agent killed right now must still know to start it again.
          await save({ mode: previousMode === "on" ? "on" : "partial", stoppedContainers: [...new Set([...state.stoppedContainers, name])] });
        }
        const parts = [stoppedNow.length ? `stopped ${stoppedNow.join(", ")}` : "", idle.length ? `not running: ${idle.join(", ")}` : ""].filter(Boolean);
        return stoppedNow.length ? parts.join("; ") : { skipped: parts.join("; ") || "no containers configured (GAMING_STOP_CONTAINERS)" };
      },
      rollback: async (signal) => {
        const restarted: string[] = [];
        for (const name of [...stoppedNow].reverse()) {
          await containers.start(name, signal);
          restarted.push(name);
          stoppedNow.splice(stoppedNow.indexOf(name), 1);
          await save({ stoppedContainers: state.stoppedContainers.filter((c) => c !== name) });
        }
        return restarted.length ? `started again: ${restarted.join(", ")}` : "no container was stopped";
      },
    },
    {
      name: "gpu-power",
      timeoutMs: t.gpuMs,
      run: async () => {
        power = await readPowerState(gpu, deps.sysfs);
        if (power === "absent" && vmRunningBefore) throw new Error(`no PCI device ${gpu.pciAddress} in sysfs`);
        return `${gpu.pciAddress} is in ${power}`;
      },
    },
    {
      name: "gpu-recover",
      timeoutMs: t.gpuMs,
      run: async (signal) => {
        if (power !== "D3cold" && power !== "absent") return { skipped: `not needed (${power})` };
        // Never remove a card from under a running VM: it is passed through and in use.
        if (vmRunningBefore) return { skipped: `${config.vmName} is already running with the card` };
        const from = power;
        power = await recoverFromD3cold(gpu, {
          from,
          sysfs: deps.sysfs,
          ...(deps.gpuRoot ? { reset: deps.gpuRoot.reset } : {}),
          clock,
          attempts: config.d3coldAttempts,
          signal,
          onAttempt: (a) => ctx.progress("gpu-recover", "running", `attempt ${a.attempt}/${a.of}: remove + rescan, waited ${seconds(a.waitedMs)}, now ${a.state}`),
        });
        if (power === "D3cold" || power === "absent") throw new Error(`the GPU is still ${power} after ${config.d3coldAttempts} remove + rescan attempts`);
        return `recovered from ${from}: now ${power}`;
      },
    },
    {
      name: "gpu-holders",
      timeoutMs: t.holdersMs,
      run: async (signal) => {
        // QEMU of the running VM holds the vfio group legitimately; only look when the VM is down.
        if (vmRunningBefore) return { skipped: `${config.vmName} is already running with the card` };
        // Any holder now is stale, the VM's own leftover QEMU included: libvirt just said the VM is not running.
        if (deps.gpuRoot) {
          const unit = await deps.gpuRoot.release(gpu, signal);
          return `stale holders ended as root by ${unit} (journalctl -u ${unit} names them)`;
        }
        const { holders, unreadable } = await findDeviceHolders(config.procRoot, await vfioGroupDevice(gpu), deps.selfPid, deps.readFds);
        // Never a false "nobody": a process we may not look into can hold the card as well as any other.
        const unchecked = unreadable
          ? `${unreadable} process${unreadable === 1 ? "" : "es"} of other users could not be checked (not permitted; NEBULA_PRIVILEGED=systemd checks as root)`
          : "";
        if (holders.length === 0) return { skipped: unreadable ? `unknown (not permitted): ${unchecked}` : "no process holds the GPU" };
        const who = holders.map((h) => `${h.pid} (${h.name}: ${h.devices.join(", ")})`).join("; ");
        ctx.progress("gpu-holders", "running", `ending stale holders: ${who}`);
        const killed = new Set(await endHolders(holders, { kill: deps.kill, isAlive: deps.isAlive, graceMs: config.killGraceMs, clock, signal }));
        const ended = holders.map((h) => `${h.pid} (${h.name}) ended by ${killed.has(h.pid) ? "SIGKILL" : "SIGTERM"}`).join("; ");
        return unchecked ? `${ended}; ${unchecked}` : ended;
      },
    },
    {
      name: "vm-start",
      timeoutMs: t.vmStartMs,
      run: async (signal) => {
        if (vmRunningBefore) return { skipped: `${config.vmName} is already running` };
        await vm.start(config.vmName, signal);
        vmStartedNow = true;
        await save({ vmStartedByGaming: true });
        return `${config.vmName} started`;
      },
      rollback: async (signal) => {
        if (!vmStartedNow) return `${config.vmName} was not started by this job`;
        const message = await shutDownVm(config, deps, signal, (m) => ctx.progress("vm-start", "running", m));
        vmStartedNow = false;
        await save({ vmStartedByGaming: false });
        return message;
      },
      // The graceful wait plus a destroy.
      rollbackTimeoutMs: t.vmShutdownMs + 30_000,
    },
    {
      name: "sunshine",
      timeoutMs: t.sunshineMs,
      run: async (signal) => {
        const answer = await waitForSunshine(config.sunshineUrl, {
          insecureTls: config.sunshineInsecureTls,
          clock,
          signal,
          onPoll: (poll, error) => ctx.progress("sunshine", "running", `poll ${poll}: no answer yet (${error})`),
        });
        return `ready: Sunshine answered HTTP ${answer.status} after ${answer.polls} poll${answer.polls === 1 ? "" : "s"}`;
      },
    },
  ];

  try {
    await runSteps(steps, ctx, clock);
  } catch (err) {
    // What rollback could not undo stays recorded, so status shows it and disable finishes the job.
    const leftover = state.stoppedContainers.length > 0 || state.vmStartedByGaming;
    await save({ mode: previousMode === "on" ? "on" : leftover ? "partial" : "off", since: previousMode === "on" ? state.since : null });
    throw err;
  }
  await save({ mode: "on", since: previousMode === "on" && state.since !== null ? state.since : clock.now() });
  return gamingStatus(config, deps, ctx.signal);
}

export async function disableGamingMode(config: GamingConfig, deps: GamingDeps, ctx: JobContext): Promise<GamingStatus> {
  const state = await deps.state.read();
  const save = (patch: Partial<GamingState>) => deps.state.write(Object.assign(state, patch));
  await save({ mode: "partial" });
  const steps: Step[] = [
    {
      name: "vm-shutdown",
      timeoutMs: config.timeouts.vmShutdownMs + 30_000,
      run: async (signal) => {
        const message = await shutDownVm(config, deps, signal, (m) => ctx.progress("vm-shutdown", "running", m));
        await save({ vmStartedByGaming: false });
        return message;
      },
    },
    {
      name: "containers",
      timeoutMs: config.timeouts.containersMs,
      run: async (signal) => {
        // Only the VM's GPU is free now; start what gaming mode stopped, in reverse stop order.
        const restored: string[] = [];
        for (const name of [...state.stoppedContainers].reverse()) {
          ctx.progress("containers", "running", `starting ${name}`);
          await deps.containers.start(name, signal);
          restored.push(name);
          await save({ stoppedContainers: state.stoppedContainers.filter((c) => c !== name) });
        }
        return restored.length ? `started again: ${restored.join(", ")}` : { skipped: "gaming mode had stopped no containers" };
      },
    },
  ];
  await runSteps(steps, ctx, deps.clock);
  await deps.state.write({ ...OFF });
  return gamingStatus(config, deps, ctx.signal);
}
