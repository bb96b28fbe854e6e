// Reads the kernel's mount table (/proc/mounts): which mount points are mounted and with which filesystem.
import { readFile } from "node:fs/promises";
import path from "node:path";

export interface MountEntry {
  source: string;
  target: string;
  fstype: string;
  options: string;
}

/** Network filesystems a NAS mount can be; anything else at the path means the share is not mounted there. */
export const NETWORK_FSTYPES = new Set(["cifs", "smb3", "nfs", "nfs4"]);

// The kernel escapes space, tab, newline and backslash in /proc/mounts fields as 3-digit octal (\040 ...).
const decodeOctal = (field: string) => field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));

export function parseProcMounts(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split("\n")) {
    const [source, target, fstype, options] = line.trim().split(/\s+/);
    if (!source || !target || !fstype) continue;
    entries.push({ source: decodeOctal(source), target: decodeOctal(target), fstype, options: options ?? "" });
  }
  return entries;
}

export async function readProcMounts(procRoot: string): Promise<MountEntry[]> {
  return parseProcMounts(await readFile(path.join(procRoot, "mounts"), "utf8"));
}

/** The topmost mount at `target` (later lines stack over earlier ones). */
export function mountAt(entries: MountEntry[], target: string): MountEntry | undefined {
  return entries.findLast((e) => e.target === target);
}
