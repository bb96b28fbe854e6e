// Free/total space of a mount, measured so that a dead NAS can never hang the agent: statfs on a stale
// CIFS/NFS mount blocks in the kernel, and in-process (libuv threadpool, even from a worker thread) it would
// pin one of the process's four pool threads for good. So it runs in a child `stat -f`, abandoned and
// SIGKILLed at the deadline.
import { type CommandRunner, execFileRunner } from "../host/command-runner.ts";

export interface MountSpace {
  totalBytes: number;
  freeBytes: number;
}

/** Resolves with the space, rejects on failure; may never settle (a hung mount): callers bound it. */
export type StatFs = (mountPath: string, signal: AbortSignal) => Promise<MountSpace>;

export type SpaceCheck = { state: "ok"; space: MountSpace } | { state: "stale"; detail: string } | { state: "error"; detail: string };

/** statfs's block counts, as `stat -f` prints them: block size, total, free (root's too), available to users. */
export interface BlockCounts {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
}

/**
 * `stat -f -c "%S %b %f %a"` in a child: block size, total blocks, free blocks, blocks available to unprivileged
 * users. On abort the runner SIGKILLs the child; a process stuck in uninterruptible sleep may outlive that, which is
 * why callers race it (checkSpace here, the disk usage reader in metrics/disk-usage.ts).
 */
export function commandBlockCounts(run: CommandRunner = execFileRunner): (mountPath: string, signal: AbortSignal) => Promise<BlockCounts> {
  return async (mountPath, signal) => {
    const { stdout } = await run("stat", ["-f", "-c", "%S %b %f %a", "--", mountPath], { signal });
    const [bsize, blocks, bfree, bavail] = stdout.trim().split(/\s+/).map(Number);
    if (bsize === undefined || blocks === undefined || bfree === undefined || bavail === undefined || [bsize, blocks, bfree, bavail].some(Number.isNaN)) {
      throw new Error(`unexpected stat -f output: ${stdout.slice(0, 100)}`);
    }
    return { bsize, blocks, bfree, bavail };
  };
}

export function commandStatfs(run: CommandRunner = execFileRunner): StatFs {
  const counts = commandBlockCounts(run);
  return async (mountPath, signal) => {
    const { bsize, blocks, bavail } = await counts(mountPath, signal);
    return { totalBytes: bsize * blocks, freeBytes: bsize * bavail };
  };
}

/** Never takes (much) longer than `timeoutMs`, whatever `statfs` does. */
export async function checkSpace(mountPath: string, statfs: StatFs, timeoutMs: number, signal: AbortSignal): Promise<SpaceCheck> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = AbortSignal.any([signal, timeout]);
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(combined.reason);
    if (combined.aborted) onAbort();
    else combined.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return { state: "ok", space: await Promise.race([statfs(mountPath, combined), aborted]) };
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (timeout.aborted) return { state: "stale", detail: `no answer from the filesystem within ${timeoutMs} ms` };
    return { state: "error", detail: err instanceof Error ? err.message : String(err) };
  } finally {
    combined.removeEventListener("abort", onAbort);
    aborted.catch(() => {});
  }
}
