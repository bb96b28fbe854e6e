// One virsh command against the configured libvirt URI, run with an argv array (never a shell), with virsh's
// error text mapped to job error codes; plus parsers for its `list --name`, `domstate` and `dominfo` output.
import { execFile } from "node:child_process";
import { JobError } from "../jobs/job-handler.ts";

export interface VirshOptions {
  /** libvirt connection URI, e.g. qemu:///system (LIBVIRT_URI). */
  uri: string;
  /** The virsh binary; "virsh" on PATH unless given. */
  virsh?: string;
}

/** virsh's messages trimmed of its "error: " prefixes, one line. */
function virshMessage(stderr: string): string {
  return stderr
    .split("\n")
    .map((l) => l.replace(/^error:\s*/, "").trim())
    .filter(Boolean)
    .join("; ");
}

/** libvirt's wording: "failed to get domain 'x'" (virsh lookup) or "Domain not found" (driver). */
export function virshJobError(stderr: string, fallback: string): JobError {
  const message = virshMessage(stderr) || fallback;
  if (/failed to get domain|domain not found|no domain with matching/i.test(message)) return new JobError("not_found", message);
  if (/failed to connect to the hypervisor|failed to connect socket|authentication (failed|unavailable)/i.test(message)) return new JobError("unavailable", message);
  return new JobError("failed", message);
}

export function runVirsh(options: VirshOptions, args: string[], signal: AbortSignal): Promise<string> {
  const bin = options.virsh ?? "virsh";
  return new Promise((resolve, reject) => {
    execFile(bin, ["-c", options.uri, ...args], { signal, maxBuffer: 4 * 1024 * 1024, encoding: "utf8" }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const e = err as NodeJS.ErrnoException & { code?: string | number };
      if (signal.aborted) return reject(signal.reason);
      if (e.code === "ENOENT") return reject(new JobError("unavailable", `virsh (${bin}) is not installed on this host`));
      reject(virshJobError(stderr, `virsh ${args[0] ?? ""} failed`));
    });
  });
}

/** `virsh list --all --name`: one name per line, a blank line at the end. */
export function parseNameList(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

/** `virsh domstate`: "running", "shut off", "paused", … (first line; later lines only with --reason). */
export function parseDomState(stdout: string): string {
  return stdout.trim().split("\n")[0]?.trim() ?? "";
}

/** `virsh dominfo`: "Key:   value" lines into a map keyed by the lowercased key. */
export function parseDomInfo(stdout: string): Map<string, string> {
  const info = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    info.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return info;
}
