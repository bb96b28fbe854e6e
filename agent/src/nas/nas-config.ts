// NAS settings from the agent's environment: the mounts the edge may name (NEBULA_MOUNTS="media=/mnt/media,...")
// and how long a reachability check may take before the mount is called stale.
import { AgentConfigError } from "../config/config.ts";
import { type PrivilegedMode, parsePrivilegedMode, remountUnit } from "../privileged/root-actions.ts";

export interface NasMount {
  /** What the edge names in nas.remount (matches the schema's configured-name rule). */
  name: string;
  /** Absolute mount point, defined in /etc/fstab so `mount <path>` needs nothing else. */
  path: string;
}

export interface NasConfig {
  mounts: NasMount[];
  procRoot: string;
  checkTimeoutMs: number;
  /** NEBULA_PRIVILEGED: `systemd` remounts through nebula-agent-remount@ (root, in the host's mount namespace). */
  privileged: PrivilegedMode;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** null when NEBULA_MOUNTS is unset: this host has no NAS mounts and nas.* answers `unavailable`. */
export function loadNasConfig(env: Record<string, string | undefined>): NasConfig | null {
  const raw = env.NEBULA_MOUNTS?.trim();
  if (!raw) return null;
  const problems: string[] = [];
  const mounts: NasMount[] = [];
  for (const entry of raw.split(",").map((e) => e.trim()).filter(Boolean)) {
    const eq = entry.indexOf("=");
    const name = eq > 0 ? entry.slice(0, eq).trim() : "";
    const path = eq > 0 ? entry.slice(eq + 1).trim() : "";
    if (!name || !path) problems.push(`NEBULA_MOUNTS: "${entry.slice(0, 80)}" is not name=/absolute/path`);
    else if (!NAME.test(name)) problems.push(`NEBULA_MOUNTS: mount name "${name.slice(0, 64)}" must be lowercase letters, digits, - or _`);
    else if (!path.startsWith("/") || path.includes("\0") || path.split("/").includes("..")) problems.push(`NEBULA_MOUNTS: path for "${name}" must be absolute (got "${path.slice(0, 200)}")`);
    else if (mounts.some((m) => m.name === name)) problems.push(`NEBULA_MOUNTS: mount name "${name}" appears twice`);
    else mounts.push({ name, path: path.length > 1 ? path.replace(/\/+$/, "") : path });
  }
  let checkTimeoutMs = 5_000;
  const rawTimeout = env.NAS_CHECK_TIMEOUT_S?.trim();
  if (rawTimeout) {
    const seconds = Number(rawTimeout);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 120) problems.push(`NAS_CHECK_TIMEOUT_S: must be seconds between 0 and 120 (got "${rawTimeout.slice(0, 20)}")`);
    else checkTimeoutMs = Math.round(seconds * 1000);
  }
  const procRoot = env.PROC_ROOT?.trim() || "/proc";
  if (!procRoot.startsWith("/")) problems.push(`PROC_ROOT: must be an absolute path (got "${procRoot.slice(0, 200)}")`);
  const privileged = parsePrivilegedMode(env, problems);
  if (privileged === "systemd") {
    for (const m of mounts) {
      try {
        remountUnit(m.path);
      } catch (err) {
        problems.push(`NEBULA_MOUNTS: "${m.name}" cannot be remounted through systemd: ${(err as Error).message}`);
      }
    }
  }
  if (problems.length > 0) throw new AgentConfigError(problems);
  return { mounts, procRoot, checkTimeoutMs, privileged };
}
