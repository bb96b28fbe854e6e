// Disk usage per mounted filesystem: real filesystems from /proc/mounts, sized with statfs under a timeout so a
// NAS that stopped answering marks its mount stale instead of hanging collection.
import { statfs as nodeStatfs } from "node:fs/promises";
import path from "node:path";
import { type MetricValues, metricSegment, percent } from "./metric-values.ts";

/** Filesystems that hold data; everything else in /proc/mounts (proc, tmpfs, overlay, cgroup, ...) is skipped. */
export const DATA_FILESYSTEMS: ReadonlySet<string> = new Set([
  "ext2",
  "ext3",
  "ext4",
  "xfs",
  "btrfs",
  "bcachefs",
  "zfs",
  "f2fs",
  "jfs",
  "reiserfs",
  "vfat",
  "exfat",
  "ntfs",
  "ntfs3",
  "fuseblk",
  "fuse.mergerfs",
  "fuse.sshfs",
  "fuse.rclone",
  "cifs",
  "smb3",
  "nfs",
  "nfs4",
  "9p",
  "virtiofs",
]);

export interface Mount {
  device: string;
  mountPoint: string;
  fsType: string;
}

/** /proc/mounts escapes space, tab, newline and backslash as octal (\040, \011, \012, \134). */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/**
 * Data mounts, one per device: bind mounts and btrfs subvolumes of an already listed device (Docker volumes,
 * snap) would repeat the same numbers under another name.
 */
export function parseMounts(text: string): Mount[] {
  const mounts: Mount[] = [];
  const devices = new Set<string>();
  for (const line of text.split("\n")) {
    const [device, mountPoint, fsType] = line.split(" ");
    if (!device || !mountPoint || !fsType || !DATA_FILESYSTEMS.has(fsType) || devices.has(device)) continue;
    devices.add(device);
    mounts.push({ device, mountPoint: unescapeMountField(mountPoint), fsType });
  }
  return mounts;
}

/** The fields of Node's StatFs that disk usage needs. */
export interface FsStats {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
}

export type StatFs = (path: string) => Promise<FsStats>;

export interface DiskUsageOptions {
  /** Host paths are read under this root ("/" on the host). */
  root: string;
  statfs?: StatFs;
  /** A mount that does not answer within this is reported stale (disk.<mount>.stale = 1). */
  timeoutMs?: number;
}

const TIMED_OUT = Symbol("timed out");

export function createDiskUsageReader(options: DiskUsageOptions): (mounts: Mount[]) => Promise<MetricValues> {
  const statfs = options.statfs ?? nodeStatfs;
  const timeoutMs = options.timeoutMs ?? 2_000;
  // statfs on a dead NFS/CIFS server blocks a libuv pool thread until the kernel gives up. A mount whose last
  // call has not returned is not asked again, so a stale mount holds at most one pool thread, not one per tick.
  const pending = new Map<string, Promise<FsStats | null>>();

  function ask(mountPoint: string): Promise<FsStats | null> {
    let call = pending.get(mountPoint);
    if (!call) {
      call = statfs(path.join(options.root, mountPoint)).then(
        (stats) => stats,
        () => null,
      );
      pending.set(mountPoint, call);
      void call.finally(() => pending.delete(mountPoint));
    }
    return call;
  }

  async function usage(mount: Mount): Promise<MetricValues> {
    const key = `disk.${metricSegment(mount.mountPoint)}`;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
      timer.unref?.();
    });
    const stats = await Promise.race([ask(mount.mountPoint), timeout]);
    clearTimeout(timer);
    if (stats === TIMED_OUT) return { [`${key}.stale`]: 1 };
    // Gone or not permitted: nothing to report. Zero blocks: a pseudo filesystem with no size.
    if (!stats || stats.blocks <= 0) return {};
    // df's arithmetic: used = blocks - bfree; "free" is what an unprivileged writer gets (bavail).
    const used = (stats.blocks - stats.bfree) * stats.bsize;
    const free = stats.bavail * stats.bsize;
    return {
      [`${key}.used_pct`]: percent(used, used + free),
      [`${key}.used_bytes`]: used,
      [`${key}.free_bytes`]: free,
      [`${key}.total_bytes`]: stats.blocks * stats.bsize,
      [`${key}.stale`]: 0,
    };
  }

  return async (mounts) => Object.assign({}, ...(await Promise.all(mounts.map(usage))));
}
