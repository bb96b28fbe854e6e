// The facts about this host that the agent reports in its hello; read fresh on every connection.
import os from "node:os";
import type { HostFacts } from "@nebula/schema/wire/agent";
import { AGENT_VERSION } from "../version.ts";

/** Job kinds this agent can run; job runners add theirs as they land (docker.*, vm.*, ...). */
export const CAPABILITIES: string[] = [];

export function readHostFacts(): HostFacts {
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
  };
}
