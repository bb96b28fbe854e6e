// The agent's few root actions. The agent runs unprivileged (NoNewPrivileges, ProtectSystem=strict, its own mount
// namespace), so in `systemd` mode it asks PID 1 to start one of the template units install.sh wrote, which polkit
// lets the nebula-agent user start and nothing else; `direct` mode does the work in-process (tests, fixture trees).
import type { CommandRunner } from "../host/command-runner.ts";
import { systemdEscape, systemdEscapePath } from "./systemd-escape.ts";

export const PRIVILEGED_MODES = ["direct", "systemd"] as const;
export type PrivilegedMode = (typeof PRIVILEGED_MODES)[number];

/** NEBULA_PRIVILEGED: `direct` unless set; the installer's unit sets `systemd`. A bad value joins `problems`. */
export function parsePrivilegedMode(env: Record<string, string | undefined>, problems: string[]): PrivilegedMode {
  const raw = env.NEBULA_PRIVILEGED?.trim().toLowerCase() || "direct";
  if (raw === "direct" || raw === "systemd") return raw;
  problems.push(`NEBULA_PRIVILEGED: must be "systemd" or "direct" (got "${raw.slice(0, 20)}")`);
  return "direct";
}

/** The template units install.sh writes; the polkit rule names exactly these. */
export const ROOT_UNITS = {
  remount: "nebula-agent-remount",
  gpuReset: "nebula-agent-gpu-reset",
  gpuRelease: "nebula-agent-gpu-release",
} as const;

const PCI_ADDRESS = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;
/** systemd's limit on a unit name (UNIT_NAME_MAX). */
const UNIT_NAME_MAX = 255;

function unitName(template: string, instance: string): string {
  const name = `${template}@${instance}.service`;
  if (name.length > UNIT_NAME_MAX) throw new Error(`unit name would be longer than ${UNIT_NAME_MAX} characters: ${name.slice(0, 80)}...`);
  return name;
}

/** nebula-agent-remount@mnt-media.service for /mnt/media; the unit gets the path back with %f. */
export function remountUnit(mountPoint: string): string {
  return unitName(ROOT_UNITS.remount, systemdEscapePath(mountPoint));
}

function pciInstance(pciAddress: string): string {
  if (!PCI_ADDRESS.test(pciAddress)) throw new Error(`not a PCI address: ${pciAddress.slice(0, 40)} (expected e.g. 0000:01:00.0)`);
  return systemdEscape(pciAddress);
}

export const gpuResetUnit = (pciAddress: string) => unitName(ROOT_UNITS.gpuReset, pciInstance(pciAddress));
export const gpuReleaseUnit = (pciAddress: string) => unitName(ROOT_UNITS.gpuRelease, pciInstance(pciAddress));

/**
 * Starts a root unit and waits for it to finish. The units are Type=oneshot, so a plain `systemctl start` already
 * blocks until ExecStart has exited and fails ("Job for ... failed") when it did. Not `--wait`: that also calls
 * Unit.Ref, polkit verb "ref", which the installed rule does not grant (it allows "start" and nothing else).
 * --no-ask-password: a service has no terminal; without polkit's yes the call fails at once instead of prompting.
 * The caller's signal kills systemctl (the step's timeout); the unit's own TimeoutStartSec bounds the root side.
 */
export async function startRootUnit(run: CommandRunner, unit: string, signal: AbortSignal): Promise<void> {
  await run("systemctl", ["start", "--no-ask-password", unit], { signal });
}
