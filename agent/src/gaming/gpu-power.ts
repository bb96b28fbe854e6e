// The passthrough GPU's PCI power state from sysfs, and recovery of a card stuck in D3cold (an NVIDIA card that
// the host powered off cannot be handed to the VM): remove the device, rescan the bus, read the state again.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { PowerState } from "@nebula/schema/wire/job-results";
import { backoffDelay } from "../connection/backoff.ts";
import type { Clock } from "./clock.ts";

/** sysfs reads and writes, injectable so a fixture tree can react to writes the way the kernel does. */
export interface SysfsAccess {
  read(file: string): Promise<string>;
  write(file: string, data: string): Promise<void>;
}

export const realSysfs: SysfsAccess = {
  read: (file) => readFile(file, "utf8"),
  write: (file, data) => writeFile(file, data),
};

export interface GpuLocation {
  sysfsRoot: string;
  pciAddress: string;
}

export const deviceDir = (gpu: GpuLocation) => path.join(gpu.sysfsRoot, "bus", "pci", "devices", gpu.pciAddress);

const KNOWN: readonly string[] = ["D0", "D1", "D2", "D3hot", "D3cold"];

/** "absent" when the device is not on the bus (e.g. between remove and rescan). */
export async function readPowerState(gpu: GpuLocation, sysfs: SysfsAccess): Promise<PowerState> {
  try {
    const value = (await sysfs.read(path.join(deviceDir(gpu), "power_state"))).trim();
    return KNOWN.includes(value) ? (value as PowerState) : "unknown";
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "absent";
    throw err;
  }
}

/** Waits between rescans: 1 s, 2 s, 4 s, ... capped at 8 s; the card needs time to re-probe after a rescan. */
const RECOVERY_BACKOFF = { baseMs: 1_000, capMs: 8_000 };

export interface RecoveryAttempt {
  attempt: number;
  of: number;
  state: PowerState;
  waitedMs: number;
}

/**
 * Up to `attempts` remove + rescan cycles until the card leaves D3cold (and is back on the bus); from "absent"
 * (a remove that was never followed by a rescan) it is rescans only.
 * Returns the final state; the caller decides whether that is good enough.
 */
/**
 * One remove + rescan cycle. Direct: the sysfs writes themselves (root only). The `systemd` privileged mode swaps in
 * the nebula-agent-gpu-reset@ unit, which decides on the remove the same way (only while the device is there).
 */
export type PciReset = (gpu: GpuLocation, present: boolean, signal: AbortSignal) => Promise<void>;

export const sysfsPciReset =
  (sysfs: SysfsAccess): PciReset =>
  async (gpu, present) => {
    // After a remove that the rescan did not undo, the device directory is gone: rescan alone is the retry.
    if (present) await sysfs.write(path.join(deviceDir(gpu), "remove"), "1");
    await sysfs.write(path.join(gpu.sysfsRoot, "bus", "pci", "rescan"), "1");
  };

export async function recoverFromD3cold(
  gpu: GpuLocation,
  options: { from: PowerState; sysfs: SysfsAccess; reset?: PciReset; clock: Clock; attempts: number; signal: AbortSignal; onAttempt(attempt: RecoveryAttempt): void },
): Promise<PowerState> {
  const { sysfs, clock, attempts, signal } = options;
  const reset = options.reset ?? sysfsPciReset(sysfs);
  let state = options.from;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    signal.throwIfAborted();
    await reset(gpu, state !== "absent", signal);
    const waitedMs = backoffDelay(attempt, RECOVERY_BACKOFF, () => 1);
    await clock.sleep(waitedMs, signal);
    state = await readPowerState(gpu, sysfs);
    options.onAttempt({ attempt, of: attempts, state, waitedMs });
    if (state !== "D3cold" && state !== "absent") return state;
  }
  return state;
}
