// An agent's host facts arrive as a loose record (whatever its last hello said): read them field by field.
import type { Agent } from "@nebula/schema/api/agents";
import type { HostFacts } from "@nebula/schema/wire/agent";
import type { BadgeTone } from "../../ui/badge.tsx";

export type Facts = Partial<HostFacts>;

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const strings = (v: unknown) => (Array.isArray(v) ? v.filter((c): c is string => typeof c === "string") : undefined);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

export function factsOf(agent: Agent): Facts | null {
  const f = agent.hostFacts;
  if (!f) return null;
  return {
    hostname: str(f.hostname),
    os: str(f.os),
    arch: str(f.arch),
    osRelease: str(f.osRelease),
    agentVersion: str(f.agentVersion),
    nodeVersion: str(f.nodeVersion),
    cpuCount: num(f.cpuCount),
    totalMemoryBytes: num(f.totalMemoryBytes),
    capabilities: strings(f.capabilities),
    stacks: strings(f.stacks),
  };
}

export type HostStatus = { key: "online" | "offline" | "silent" | "never" | "revoked"; label: string; tone: BadgeTone };

export function hostStatus(agent: Agent): HostStatus {
  if (agent.revokedAt) return { key: "revoked", label: "Revoked", tone: "danger" };
  if (agent.connected && !agent.offline) return { key: "online", label: "Online", tone: "success" };
  if (agent.connected) return { key: "silent", label: "Not responding", tone: "warning" };
  if (!agent.hostFacts && !agent.lastSeenAt) return { key: "never", label: "Never connected", tone: "neutral" };
  return { key: "offline", label: "Offline", tone: "danger" };
}
