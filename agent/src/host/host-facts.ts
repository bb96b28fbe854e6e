// The facts about this host that the agent reports in its hello; read fresh on every connection.
import os from "node:os";
import { type HostFacts, MAX_STACKS } from "@nebula/schema/wire/agent";
import { AGENT_VERSION } from "../version.ts";

/** Job kinds this agent can run; job runners add theirs as they land (docker.*, vm.*, ...). */
export const CAPABILITIES: string[] = [];

/**
 * `probes`: the configured service probes by name and kind (never their URLs); `stacks`: the compose stacks by name
 * (never their directories). Both so the dashboard can list them.
 */
export function readHostFacts(
  options: { probes?: readonly { name: string; kind: NonNullable<HostFacts["probes"]>[number]["kind"] }[]; stacks?: readonly string[] } = {},
): HostFacts {
  return {
    agentVersion: AGENT_VERSION,
    hostname: os.hostname(),
    os: os.platform(),
    arch: os.arch(),
    capabilities: [...CAPABILITIES],
    osRelease: os.release(),
    nodeVersion: process.versions.node,
    cpuCount: os.availableParallelism(),
    totalMemoryBytes: os.totalmem(),
    ...(options.probes?.length ? { probes: options.probes.map(({ name, kind }) => ({ name, kind })) } : {}),
    ...(options.stacks?.length ? { stacks: options.stacks.slice(0, MAX_STACKS) } : {}),
  };
}
