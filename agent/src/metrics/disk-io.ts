// Disk throughput from /proc/diskstats: sectors read and written between two reads, per whole disk.
import { type MetricValues, counterRates } from "./metric-values.ts";

/** /proc/diskstats counts 512-byte sectors whatever the device's real sector size (Documentation/admin-guide/iostats.rst). */
const SECTOR_BYTES = 512;

/**
 * Whole physical disks and md arrays only: partitions would count the same bytes twice, and loop, ram, zram
 * and dm-* devices are views of other devices.
 */
const WHOLE_DISK = /^(sd[a-z]+|vd[a-z]+|xvd[a-z]+|hd[a-z]+|nvme\d+n\d+|mmcblk\d+|md\d+)$/;

export interface DiskCounters {
  readBytes: number;
  writeBytes: number;
}

export function parseDiskstats(text: string): Map<string, DiskCounters> {
  const disks = new Map<string, DiskCounters>();
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    const name = f[2];
    if (!name || !WHOLE_DISK.test(name) || f.length < 10) continue;
    disks.set(name, { readBytes: Number(f[5]) * SECTOR_BYTES, writeBytes: Number(f[9]) * SECTOR_BYTES });
  }
  return disks;
}

export function diskIoValues(prev: Map<string, DiskCounters>, cur: Map<string, DiskCounters>, elapsedSeconds: number): MetricValues {
  return counterRates("io", prev, cur, elapsedSeconds, { readBytes: "read_bps", writeBytes: "write_bps" });
}
