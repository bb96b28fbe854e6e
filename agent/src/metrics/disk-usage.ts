// Disk usage per mounted filesystem: real filesystems from /proc/mounts, sized with statfs under a timeout so a
// NAS that stopped answering marks its mount stale instead of hanging collection.
import { statfs as nodeStatfs } from "node:fs/promises";
import path from "node:path";
import { type BlockCounts, commandBlockCounts } from "../nas/mount-space.ts";
import { NETWORK_FSTYPES } from "../nas/proc-mounts.ts";
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

/**
 * Filesystems whose statfs goes over the network (the NAS shares, and FUSE clients of remote storage): a dead server
 * can block it in the kernel for as long as the mount's timeouts say, hard NFS mounts forever.
 */
export const NETWORK_FILESYSTEMS: ReadonlySet<string> = new Set([...NETWORK_FSTYPES, "fuse.sshfs", "fuse.rclone"]);

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
export type FsStats = BlockCounts;

/** In-process statfs (local filesystems). */
export type StatFs = (path: string) => Promise<FsStats>;
/** statfs outside the process (network filesystems): the signal gives up on it and kills what runs it. */
export type ChildStatFs = (path: string, signal: AbortSignal) => Promise<FsStats>;

export interface DiskUsageOptions {
  /** Host paths are read under this root ("/" on the host). */
  root: string;
  statfs?: StatFs;
  /** For NETWORK_FILESYSTEMS. Default a child `stat -f` (nas/mount-space.ts). */
  networkStatfs?: ChildStatFs;
  /** A mount that does not answer within this is reported stale (disk.<mount>.stale = 1). */
  timeoutMs?: number;
}

const TIMED_OUT = Symbol("timed out");

export function createDiskUsageReader(options: DiskUsageOptions): (mounts: Mount[]) => Promise<MetricValues> {
  const statfs = options.statfs ?? nodeStatfs;
  const networkStatfs = options.networkStatfs ?? commandBlockCounts();
  const timeoutMs = options.timeoutMs ?? 2_000;
  // In-process statfs runs on one of libuv's 4 pool threads, which a dead NFS/CIFS server blocks until the kernel
  // gives up (never, on a hard mount): four hung shares and /proc reads, spool writes and DNS all wait behind them.
  // So network filesystems are asked in a child `stat -f`, killed at the deadline, and never in-process. A mount
  // whose last call has not returned is not asked again, so a stale mount holds at most one child (or one pool
  // thread, for a local disk that hangs), not one per tick.
  const pending = new Map<string, Promise<FsStats | null | typeof TIMED_OUT>>();

  function ask(mount: Mount): Promise<FsStats | null | typeof TIMED_OUT> {
    let call = pending.get(mount.mountPoint);
    if (!call) {
      const target = path.join(options.root, mount.mountPoint);
      const deadline = AbortSignal.timeout(timeoutMs);
      const asked = NETWORK_FILESYSTEMS.has(mount.fsType) ? networkStatfs(target, deadline) : statfs(target);
      call = asked.then(
        (stats) => stats,
        // A child killed at the deadline is a mount that did not answer, whichever of the two timers ran first.
        () => (deadline.aborted ? TIMED_OUT : null),
      );
      pending.set(mount.mountPoint, call);
      void call.finally(() => pending.delete(mount.mountPoint));
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
    // The child is killed at the deadline, but one stuck in uninterruptible sleep outlives SIGKILL: race it anyway.
    const stats = await Promise.race([ask(mount), timeout]);
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
