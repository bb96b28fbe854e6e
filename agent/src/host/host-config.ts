// Host job settings from the agent's environment: the Wake-on-LAN port, whether host.reboot is allowed at all, and
// the services host.probe may name (NEBULA_PROBES, the same list the metrics probe).
import { AgentConfigError, type ProbeTarget, parseProbes } from "../config/config.ts";

export interface HostConfig {
  /** UDP port magic packets go to (9, "discard", is what most NICs and routers expect). */
  wolPort: number;
  /** An owner can still be refused a reboot on a box where it must never happen remotely. */
  rebootAllowed: boolean;
  /** What host.probe may probe, by name; any other address needs host.probe_url (admins). */
  probes: readonly ProbeTarget[];
}

export function loadHostConfig(env: Record<string, string | undefined>): HostConfig {
  const problems: string[] = [];
  let wolPort = 9;
  const rawPort = env.NEBULA_WOL_PORT?.trim();
  if (rawPort) {
    wolPort = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || wolPort < 1 || wolPort > 65535) problems.push(`NEBULA_WOL_PORT: must be a UDP port 1-65535 (got "${rawPort.slice(0, 20)}")`);
  }
  const rawReboot = env.NEBULA_HOST_REBOOT?.trim().toLowerCase() || "allow";
  if (rawReboot !== "allow" && rawReboot !== "deny") problems.push(`NEBULA_HOST_REBOOT: must be "allow" or "deny" (got "${rawReboot.slice(0, 20)}")`);
  const probes = parseProbes(env.NEBULA_PROBES ?? "", problems);
  if (problems.length > 0) throw new AgentConfigError(problems);
  return { wolPort, rebootAllowed: rawReboot === "allow", probes };
}
