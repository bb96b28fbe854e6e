import { describe, expect, it } from "vitest";
import { metricLabel, metricValue } from "./format.ts";

describe("metricLabel", () => {
  it("names the metrics an alert rule watches in words", () => {
    expect(metricLabel("cpu.total")).toBe("CPU total");
    expect(metricLabel("mem.used_pct")).toBe("Memory used");
    expect(metricLabel("container.plex.running")).toBe("Container plex running");
    expect(metricLabel("disk./mnt/media.stale")).toBe("Mount /mnt/media stale");
    expect(metricLabel("probe.plex.up")).toBe("Probe plex up");
    expect(metricLabel("vm.RDPWindows.running")).toBe("VM RDPWindows running");
    expect(metricLabel("gpu.0.temp_c")).toBe("GPU 0 temperature");
    expect(metricLabel("gpu.0.mem_used_pct")).toBe("GPU 0 memory used");
    expect(metricLabel("cpu.core.3")).toBe("CPU core 3");
    expect(metricLabel("temp.coretemp_Package_id_0")).toBe("CPU package 0 temperature");
    expect(metricLabel("load.5")).toBe("Load average (5 min)");
    expect(metricLabel("agent.up")).toBe("Agent connected");
  });

  it("says 'any' for a rule over every mount or container", () => {
    expect(metricLabel("disk.*.used_pct")).toBe("Any mount used");
    expect(metricLabel("container.*.running")).toBe("Any container running");
  });

  it("keeps a name it does not know as it is", () => {
    expect(metricLabel("ups.battery")).toBe("ups.battery");
    expect(metricLabel("mem")).toBe("mem");
    expect(metricLabel("container.plex.running.extra")).toBe("container.plex.running.extra");
  });
});

describe("metricValue", () => {
  it("gives a value the unit its metric's name says", () => {
    expect(metricValue("mem.used_pct", 93.456)).toBe("93.46%");
    expect(metricValue("cpu.total", 95)).toBe("95%");
    expect(metricValue("gpu.0.temp_c", 71)).toBe("71 °C");
    expect(metricValue("mem.used_bytes", 1.5 * 1024 ** 3)).toBe("1.5 GiB");
    expect(metricValue("probe.plex.latency_ms", 250)).toBe("250 ms");
  });

  it("leaves a state or a count a bare number, and a missing reading a dash", () => {
    expect(metricValue("container.plex.running", 0)).toBe("0");
    expect(metricValue("ups.battery", 12.345)).toBe("12.35");
    expect(metricValue("cpu.total", null)).toBe("—");
  });
});
