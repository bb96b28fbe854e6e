// GPU metrics from nvidia-smi's CSV output, as captured from real cards (a desktop RTX and a card without power readings).
import { describe, expect, it } from "vitest";
import { NVIDIA_SMI_ARGS, createNvidiaSmiReader, parseNvidiaSmi } from "../src/metrics/gpu.ts";

const MIB = 1024 * 1024;

describe("parseNvidiaSmi", () => {
  it("turns one line per GPU into gpu.<index>.* values", () => {
    const output = "37, 1543, 24576, 52, 118.43\n0, 3, 8192, 34, [N/A]\n";
    expect(parseNvidiaSmi(output)).toEqual({
      "gpu.0.util": 37,
      "gpu.0.mem_used_bytes": 1543 * MIB,
      "gpu.0.mem_total_bytes": 24576 * MIB,
      "gpu.0.mem_used_pct": 6.28,
      "gpu.0.temp": 52,
      "gpu.0.power_w": 118.43,
      "gpu.1.util": 0,
      "gpu.1.mem_used_bytes": 3 * MIB,
      "gpu.1.mem_total_bytes": 8192 * MIB,
      "gpu.1.mem_used_pct": 0.04,
      "gpu.1.temp": 34,
    });
  });

  it("leaves out fields a card does not support and ignores lines that are not GPU rows", () => {
    const output = "[Not Supported], 512, 4096, [N/A], [Not Supported]\r\n\r\nNo devices were found\r\n";
    expect(parseNvidiaSmi(output)).toEqual({
      "gpu.0.mem_used_bytes": 512 * MIB,
      "gpu.0.mem_total_bytes": 4096 * MIB,
      "gpu.0.mem_used_pct": 12.5,
    });
    expect(parseNvidiaSmi("")).toEqual({});
  });
});

describe("createNvidiaSmiReader", () => {
  it("runs nvidia-smi with an argument vector, no shell", async () => {
    const runs: [string, readonly string[]][] = [];
    const read = createNvidiaSmiReader(async (file, args) => {
      runs.push([file, args]);
      return "5, 100, 1000, 40, 20.00\n";
    });
    expect(await read()).toMatchObject({ "gpu.0.util": 5, "gpu.0.power_w": 20 });
    expect(runs).toEqual([["nvidia-smi", NVIDIA_SMI_ARGS]]);
  });

  it("stops asking on a host without nvidia-smi, and skips a failing run quietly", async () => {
    let runs = 0;
    const absent = createNvidiaSmiReader(async () => {
      runs++;
      throw Object.assign(new Error("spawn nvidia-smi ENOENT"), { code: "ENOENT" });
    });
    expect(await absent()).toEqual({});
    expect(await absent()).toEqual({});
    expect(runs).toBe(1);

    let failing = 0;
    const passedThrough = createNvidiaSmiReader(async () => {
      failing++;
      throw Object.assign(new Error("Command failed: nvidia-smi"), { code: 6 });
    });
    expect(await passedThrough()).toEqual({});
    expect(await passedThrough()).toEqual({});
    expect(failing).toBe(2);
  });
});
