// NVIDIA GPU utilisation, memory, temperature and power from nvidia-smi, when the host has it.
import { execFile } from "node:child_process";
import type { Logger } from "../logging/logger.ts";
import { type MetricValues, percent } from "./metric-values.ts";

/** The fields asked for, in the order nvidia-smi prints them. */
export const NVIDIA_SMI_ARGS = [
  "--query-gpu=utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw",
  "--format=csv,noheader,nounits",
] as const;

const MIB = 1024 * 1024;

/** Runs a program with an argument vector (never a shell) and resolves with its stdout. */
export type RunProgram = (file: string, args: readonly string[]) => Promise<string>;

export const runProgram: RunProgram = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 5_000, maxBuffer: 64 * 1024, encoding: "utf8" }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });

/** nvidia-smi prints "[N/A]" or "[Not Supported]" for fields a card lacks (e.g. power on many laptop GPUs). */
function field(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const value = Number(raw.trim());
  return raw.trim() !== "" && Number.isFinite(value) ? value : null;
}

/** One line per GPU, in nvidia-smi's index order: "37, 1543, 24576, 52, 118.43". */
export function parseNvidiaSmi(output: string): MetricValues {
  const values: MetricValues = {};
  let index = 0;
  for (const line of output.split(/\r?\n/)) {
    const parts = line.split(",");
    if (parts.length !== 5) continue;
    const [util, memUsed, memTotal, temp, power] = parts.map(field);
    const gpu = `gpu.${index++}`;
    if (util != null) values[`${gpu}.util`] = util;
    if (memUsed != null) values[`${gpu}.mem_used_bytes`] = memUsed * MIB;
    if (memTotal != null) values[`${gpu}.mem_total_bytes`] = memTotal * MIB;
    if (memUsed != null && memTotal) values[`${gpu}.mem_used_pct`] = percent(memUsed, memTotal);
    if (temp != null) values[`${gpu}.temp`] = temp;
    if (power != null) values[`${gpu}.power_w`] = power;
  }
  return values;
}

/** Who else wants the card: gaming mode hands it to a VM, and nvidia-smi holding /dev/nvidia* then would stop libvirt. */
export interface GpuGate {
  /** Runs the read, or returns null without running it while the card is handed over. */
  use<T>(read: () => Promise<T>): Promise<T> | null;
}

/** Sampled instead of the card's figures while it is handed over (1), and beside them otherwise (0). */
export const GPU_PASSED_THROUGH_METRIC = "gpu.passed_through";

/**
 * A reader that asks nvidia-smi each tick. A host without it (ENOENT) is never asked again; other failures (no
 * devices while the GPU is passed through to the gaming VM, driver reloading) skip that tick quietly. With a gate,
 * nvidia-smi is not run at all while gaming mode has the card.
 */
export function createNvidiaSmiReader(run: RunProgram = runProgram, logger?: Logger, gate?: GpuGate): () => Promise<MetricValues> {
  let absent = false;
  let warned = false;
  return async () => {
    if (absent) return {};
    try {
      if (!gate) return parseNvidiaSmi(await run("nvidia-smi", NVIDIA_SMI_ARGS));
      const output = gate.use(() => run("nvidia-smi", NVIDIA_SMI_ARGS));
      if (output === null) return { [GPU_PASSED_THROUGH_METRIC]: 1 };
      return { ...parseNvidiaSmi(await output), [GPU_PASSED_THROUGH_METRIC]: 0 };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") absent = true;
      else if (!warned) {
        warned = true;
        logger?.debug("nvidia-smi failed; GPU metrics skipped while it does", { err });
      }
      return {};
    }
  };
}
