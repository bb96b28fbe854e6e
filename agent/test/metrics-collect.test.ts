// Host metrics read from a fixture /proc + /sys taken twice, 10 s apart: every value is the exact figure the kernel's
// counters imply. Plus the pieces a real host makes hard to stage (a dead NAS mount, odd names) and a smoke run on this host.
import { once } from "node:events";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { statfs } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { METRIC_NAME_PATTERN } from "@nebula/schema/wire/agent";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createHostCollector } from "../src/metrics/collect.ts";
import { type FsStats, createDiskUsageReader, parseMounts } from "../src/metrics/disk-usage.ts";
import { metricSegment } from "../src/metrics/metric-values.ts";
import { commandBlockCounts } from "../src/nas/mount-space.ts";
import { naturalOrder } from "../src/metrics/temperatures.ts";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures/proc");
const GPU_OUTPUT = "37, 1543, 24576, 52, 118.43\n";

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
  vi.useRealTimers();
});

function tempRoot(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nebula-proc-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Puts one snapshot of the fixture host in place under `root`. */
function snapshot(root: string, name: "t0" | "t1"): void {
  cpSync(path.join(FIXTURES, name), root, { recursive: true, force: true });
}

/** What statfs says about each fixture mount; /mnt/nas refuses (EACCES), as a root-squashed NFS export can. */
const FS_STATS: Record<string, FsStats> = {
  "/": { bsize: 4096, blocks: 1000, bfree: 250, bavail: 150 },
  "/boot/efi": { bsize: 512, blocks: 1000, bfree: 500, bavail: 500 },
  "/mnt/backup share": { bsize: 1024, blocks: 100, bfree: 0, bavail: 0 },
  "/tank/data": { bsize: 131072, blocks: 8, bfree: 6, bavail: 6 },
  "/srv/my.files": { bsize: 4096, blocks: 10, bfree: 10, bavail: 10 },
};

function fixtureCollector(root: string, clock: { ms: number }) {
  const asked: string[] = [];
  const askedInChild: string[] = [];
  const answer = (p: string, calls: string[]) => {
    const mount = `/${path.relative(root, p)}`;
    calls.push(mount);
    const stats = FS_STATS[mount];
    if (!stats) throw Object.assign(new Error("permission denied"), { code: "EACCES" });
    return stats;
  };
  const collector = createHostCollector({
    root,
    monotonicMs: () => clock.ms,
    statfs: async (p) => answer(p, asked),
    networkStatfs: async (p) => answer(p, askedInChild),
    runProgram: async () => GPU_OUTPUT,
    extraCollectors: [() => ({ "container.plex.cpu": 12.5, "container.bad name.cpu": 1 })],
  });
  return { collector, asked, askedInChild };
}

describe("createHostCollector on a fixture host", () => {
  it("reports exact CPU, memory, load, disk, IO, network, temperature, GPU and uptime figures between two reads", async () => {
    const root = tempRoot();
    const clock = { ms: 1_000 };
    const { collector, asked, askedInChild } = fixtureCollector(root, clock);

    snapshot(root, "t0");
    await collector.collect();
    snapshot(root, "t1");
    clock.ms = 11_000;
    const values = await collector.collect();

    expect(values).toEqual({
      "cpu.total": 27.5,
      "cpu.iowait": 4.5,
      "cpu.core.0": 40,
      "cpu.core.1": 15,
      "load.1": 1.25,
      "load.5": 0.75,
      "load.15": 0.6,
      "mem.used_pct": 25,
      "mem.used_bytes": 4_096_000_000,
      "mem.available_bytes": 12_288_000_000,
      "mem.total_bytes": 16_384_000_000,
      "swap.used_pct": 25,
      "swap.used_bytes": 1_024_000_000,
      "disk./.used_pct": 83.33,
      "disk./.used_bytes": 3_072_000,
      "disk./.free_bytes": 614_400,
      "disk./.total_bytes": 4_096_000,
      "disk./.stale": 0,
      "disk./boot/efi.used_pct": 50,
      "disk./boot/efi.used_bytes": 256_000,
      "disk./boot/efi.free_bytes": 256_000,
      "disk./boot/efi.total_bytes": 512_000,
      "disk./boot/efi.stale": 0,
      "disk./mnt/backup_share.used_pct": 100,
      "disk./mnt/backup_share.used_bytes": 102_400,
      "disk./mnt/backup_share.free_bytes": 0,
      "disk./mnt/backup_share.total_bytes": 102_400,
      "disk./mnt/backup_share.stale": 0,
      "disk./tank/data.used_pct": 25,
      "disk./tank/data.used_bytes": 262_144,
      "disk./tank/data.free_bytes": 786_432,
      "disk./tank/data.total_bytes": 1_048_576,
      "disk./tank/data.stale": 0,
      "disk./srv/my_files.used_pct": 0,
      "disk./srv/my_files.used_bytes": 0,
      "disk./srv/my_files.free_bytes": 40_960,
      "disk./srv/my_files.total_bytes": 40_960,
      "disk./srv/my_files.stale": 0,
      "io.nvme0n1.read_bps": 1_024_000,
      "io.nvme0n1.write_bps": 512_000,
      "io.sdb.read_bps": 0,
      "io.sdb.write_bps": 10_240,
      "net.eth0.rx_bps": 1_250_000,
      "net.eth0.tx_bps": 250_000,
      "net.eth0_100.rx_bps": 500,
      "net.eth0_100.tx_bps": 50,
      "net.docker0.rx_bps": 0,
      "net.docker0.tx_bps": 100,
      "temp.coretemp_Package_id_0": 46,
      "temp.coretemp_Core_0": 44.5,
      "temp.nvme_Composite": 38.85,
      "temp.acpitz_temp1": 27.8,
      "gpu.0.util": 37,
      "gpu.0.mem_used_bytes": 1543 * 1024 * 1024,
      "gpu.0.mem_total_bytes": 24576 * 1024 * 1024,
      "gpu.0.mem_used_pct": 6.28,
      "gpu.0.temp": 52,
      "gpu.0.power_w": 118.43,
      "container.plex.cpu": 12.5,
      "host.uptime_s": 12355,
    });
    for (const name of Object.keys(values)) expect(name).toMatch(METRIC_NAME_PATTERN);
    // Data filesystems only, one per device, paths unescaped, all under the configured root; the NFS and CIFS shares
    // through the child, never in-process.
    expect(asked.slice(0, 4)).toEqual(["/", "/boot/efi", "/tank/data", "/srv/my.files"]);
    expect(askedInChild.slice(0, 2)).toEqual(["/mnt/nas", "/mnt/backup share"]);
  });

  it("reports CPU since boot on the first read (as vmstat's first line does) and no rates until a second read", async () => {
    const root = tempRoot();
    snapshot(root, "t0");
    const values = await fixtureCollector(root, { ms: 0 }).collector.collect();

    expect(values).toMatchObject({ "cpu.total": 15, "cpu.iowait": 5, "cpu.core.0": 18, "cpu.core.1": 12, "mem.used_pct": 25 });
    expect(Object.keys(values).filter((name) => name.startsWith("io.") || name.startsWith("net."))).toEqual([]);
  });

  it("keeps collecting what it can when a source is missing", async () => {
    const root = tempRoot();
    snapshot(root, "t0");
    rmSync(path.join(root, "proc/meminfo"));
    rmSync(path.join(root, "sys"), { recursive: true });
    const values = await fixtureCollector(root, { ms: 0 }).collector.collect();

    expect(values["cpu.total"]).toBe(15);
    expect(values["load.1"]).toBe(0.52);
    expect(Object.keys(values).some((name) => name.startsWith("mem.") || name.startsWith("temp."))).toBe(false);
  });

  it("reads thermal zones when the host has no hwmon sensors", async () => {
    const root = tempRoot();
    snapshot(root, "t0");
    rmSync(path.join(root, "sys/class/hwmon"), { recursive: true });
    mkdirSync(path.join(root, "sys/class/thermal/thermal_zone1"));
    writeFileSync(path.join(root, "sys/class/thermal/thermal_zone1/type"), "cpu-thermal\n");
    writeFileSync(path.join(root, "sys/class/thermal/thermal_zone1/temp"), "51121\n");
    const values = await fixtureCollector(root, { ms: 0 }).collector.collect();

    expect(Object.fromEntries(Object.entries(values).filter(([name]) => name.startsWith("temp.")))).toEqual({
      "temp.acpitz": 27.8,
      "temp.cpu-thermal": 51.12,
    });
  });

  it("walks sensors in hwmon's numeric order, so a repeated chip name gets its _2 on the higher-numbered chip", () => {
    const names = ["hwmon10", "temp10_input", "hwmon2", "temp1_input", "temp2_input", "hwmon1", "thermal_zone0", "temp02_input"];
    expect(names.sort(naturalOrder)).toEqual(["hwmon1", "hwmon2", "hwmon10", "temp1_input", "temp02_input", "temp2_input", "temp10_input", "thermal_zone0"]);
  });

  it("lets a module added later (docker) merge its values into the same sample", async () => {
    const root = tempRoot();
    snapshot(root, "t0");
    const { collector } = fixtureCollector(root, { ms: 0 });
    collector.addCollector(async () => ({ "container.count": 7 }));
    collector.addCollector(() => {
      throw new Error("docker socket unreachable");
    });

    const values = await collector.collect();
    expect(values["container.count"]).toBe(7);
    expect(values["cpu.total"]).toBe(15);
  });
});

describe("disk usage", () => {
  const mount = (mountPoint: string, fsType = "ext4") => ({ device: mountPoint, mountPoint, fsType });

  it("marks a mount that does not answer statfs stale, and does not ask it again while the first call hangs", async () => {
    vi.useFakeTimers();
    const calls: string[] = [];
    const read = createDiskUsageReader({
      root: "/",
      timeoutMs: 2_000,
      statfs: (p) => {
        calls.push(p);
        return p === "/mnt/nas" ? new Promise<FsStats>(() => {}) : Promise.resolve({ bsize: 4096, blocks: 4, bfree: 2, bavail: 2 });
      },
    });

    const first = read([mount("/"), mount("/mnt/nas")]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await first).toMatchObject({ "disk./.used_pct": 50, "disk./.stale": 0, "disk./mnt/nas.stale": 1 });
    expect(await first).not.toHaveProperty("disk./mnt/nas.used_pct");

    const second = read([mount("/"), mount("/mnt/nas")]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await second).toMatchObject({ "disk./mnt/nas.stale": 1 });
    expect(calls).toEqual(["/", "/mnt/nas", "/"]);
  });

  it("keeps collecting /proc while five network shares hang, asking them only through a child, one at a time", async () => {
    const root = tempRoot();
    snapshot(root, "t0");
    const shares = [
      ["//nas/media", "/mnt/media", "cifs"],
      ["//nas/photos", "/mnt/photos", "smb3"],
      ["nas:/backup", "/mnt/backup", "nfs"],
      ["nas:/music", "/mnt/music", "nfs4"],
      ["me@box:/srv", "/mnt/box", "fuse.sshfs"],
    ];
    writeFileSync(
      path.join(root, "proc/mounts"),
      ["/dev/sda2 / ext4 rw 0 0", ...shares.map(([device, point, type]) => `${device} ${point} ${type} rw 0 0`)].join("\n"),
    );
    const inProcess: string[] = [];
    const inChild: string[] = [];
    const childSignals: AbortSignal[] = [];
    const collector = createHostCollector({
      root,
      runProgram: null,
      statfsTimeoutMs: 50,
      // In-process statfs holds a libuv pool thread while it waits: a dead share must never get here.
      statfs: async (p) => {
        inProcess.push(`/${path.relative(root, p)}`);
        return { bsize: 4096, blocks: 4, bfree: 2, bavail: 2 };
      },
      // The dead NAS: its `stat -f` never answers. Over sshfs, SIGKILL at the deadline ends it (as execFile reports);
      // on the others it is stuck for good, as in uninterruptible sleep.
      networkStatfs: (p, signal) => {
        const mount = `/${path.relative(root, p)}`;
        inChild.push(mount);
        childSignals.push(signal);
        return new Promise<FsStats>((_resolve, reject) => {
          if (mount === "/mnt/box") signal.addEventListener("abort", () => reject(new Error("stat -f killed")));
        });
      },
    });

    for (let i = 0; i < 2; i++) {
      const values = await collector.collect();
      expect(values["mem.used_pct"]).toBe(25);
      expect(values["host.uptime_s"]).toBeTypeOf("number");
      expect(values["load.1"]).toBe(0.52);
      expect(values["disk./.used_pct"]).toBe(50);
      for (const [, point] of shares) expect(values[`disk.${point}.stale`], point).toBe(1);
    }
    expect(inProcess).toEqual(["/", "/"]);
    // Each child is told to die at its deadline; a share whose child is still there is not asked again.
    await Promise.all(childSignals.map((signal) => (signal.aborted ? undefined : once(signal, "abort"))));
    expect(inChild).toEqual([...shares.map(([, point]) => point), "/mnt/box"]);
  });

  it("sizes a real filesystem through `stat -f` in a child, with the numbers statfs gives in-process", async () => {
    const dir = tempRoot();
    const [child, own] = await Promise.all([commandBlockCounts()(dir, new AbortController().signal), statfs(dir)]);
    expect(child.bsize).toBe(own.bsize);
    expect(child.blocks).toBe(own.blocks);
    expect(child.blocks).toBeGreaterThan(0);
    expect(child.bavail).toBeLessThanOrEqual(child.bfree);
  });

  it("skips pseudo filesystems, and repeats of a device already listed", () => {
    const mounts = parseMounts(
      [
        "tmpfs /run tmpfs rw 0 0",
        "/dev/sda2 / btrfs rw,subvol=/@ 0 0",
        "/dev/sda2 /home btrfs rw,subvol=/@home 0 0",
        "mergerfs /mnt/pool fuse.mergerfs rw 0 0",
        "/dev/sdc1 /media/usb\\011stick exfat rw 0 0",
      ].join("\n"),
    );
    expect(mounts.map((m) => m.mountPoint)).toEqual(["/", "/mnt/pool", "/media/usb\tstick"]);
  });
});

describe("metricSegment", () => {
  it("keeps names the wire allows and squeezes the rest into one valid segment", () => {
    expect(metricSegment("/mnt/nas")).toBe("/mnt/nas");
    expect(metricSegment("/srv/my.files")).toBe("/srv/my_files");
    const long = metricSegment(`/mnt/${"a".repeat(100)}`);
    expect(long).toHaveLength(80);
    expect(long).not.toBe(metricSegment(`/mnt/${"a".repeat(101)}`));
    expect(`disk.${long}.used_pct`).toMatch(METRIC_NAME_PATTERN);
  });
});

describe("createHostCollector on this host", () => {
  it("returns CPU and memory figures from the real /proc", async () => {
    const values = await createHostCollector({ runProgram: null }).collect();
    expect(values["cpu.total"]).toBeTypeOf("number");
    expect(values["mem.used_pct"]).toBeTypeOf("number");
    for (const name of Object.keys(values)) expect(name).toMatch(METRIC_NAME_PATTERN);
  });
});
