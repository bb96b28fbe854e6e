// The agent's configuration from its environment (systemd EnvironmentFile), with one message naming every problem.
import path from "node:path";
import { AGENT_TOKEN_PATTERN } from "@nebula/schema/wire/agent";

export interface AgentConfig {
  edgeUrl: string;
  token: string;
  /** The Docker Engine API's unix socket (Docker, or podman's Docker-compatible service). */
  dockerSocket: string;
  /** Where virsh connects (qemu:///system on a KVM host). */
  libvirtUri: string;
  /** Compose stacks the edge may bring up or down, by name: the edge names a stack, never a path. */
  stacks: ReadonlyMap<string, string>;
}

export const DEFAULT_DOCKER_SOCKET = "/var/run/docker.sock";
export const DEFAULT_LIBVIRT_URI = "qemu:///system";
/** Same rule as the job protocol's configured names (schema/src/wire/jobs.ts). */
const STACK_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const LIBVIRT_URI = /^[a-z][a-z0-9+.-]*:\/\/[^\s]*$/;

export class AgentConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Invalid agent configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "AgentConfigError";
    this.problems = problems;
  }
}

function edgeUrlProblem(value: string): string | null {
  try {
    const url = new URL(value);
    return ["http:", "https:", "ws:", "wss:"].includes(url.protocol) ? null : "NEBULA_EDGE_URL: must be an https:// (or wss://) URL";
  } catch {
    return "NEBULA_EDGE_URL: is not a URL (expected e.g. https://nebula.example.com)";
  }
}

/** Never echoes the token: it is a credential. */
export function parseAgentConfig(env: Record<string, string | undefined>): AgentConfig {
  const problems: string[] = [];
  const edgeUrl = env.NEBULA_EDGE_URL?.trim() ?? "";
  const token = env.NEBULA_AGENT_TOKEN?.trim() ?? "";
  if (!edgeUrl) problems.push("NEBULA_EDGE_URL is required but not set (the address of your Nebula Command, e.g. https://nebula.example.com)");
  else {
    const problem = edgeUrlProblem(edgeUrl);
    if (problem) problems.push(problem);
  }
  if (!token) problems.push("NEBULA_AGENT_TOKEN is required but not set (create an agent in the dashboard to get its token)");
  else if (!AGENT_TOKEN_PATTERN.test(token)) problems.push("NEBULA_AGENT_TOKEN: must be `nca_` followed by 43 characters, as the dashboard shows it");

  const dockerSocket = env.DOCKER_SOCKET?.trim() || DEFAULT_DOCKER_SOCKET;
  if (!path.isAbsolute(dockerSocket)) problems.push(`DOCKER_SOCKET: must be an absolute path to the Docker socket (e.g. ${DEFAULT_DOCKER_SOCKET}), got "${dockerSocket}"`);
  const libvirtUri = env.LIBVIRT_URI?.trim() || DEFAULT_LIBVIRT_URI;
  if (!LIBVIRT_URI.test(libvirtUri)) problems.push(`LIBVIRT_URI: must be a libvirt connection URI such as ${DEFAULT_LIBVIRT_URI}, got "${libvirtUri}"`);
  const stacks = parseStacks(env.NEBULA_STACKS ?? "", problems);

  if (problems.length > 0) throw new AgentConfigError(problems);
  return { edgeUrl, token, dockerSocket, libvirtUri, stacks };
}

/** NEBULA_STACKS="media=/srv/media,tools=/srv/tools": each directory holds the stack's compose.yaml. */
function parseStacks(value: string, problems: string[]): Map<string, string> {
  const stacks = new Map<string, string>();
  for (const entry of value.split(",").map((e) => e.trim()).filter(Boolean)) {
    const eq = entry.indexOf("=");
    const name = eq < 0 ? entry : entry.slice(0, eq).trim();
    const dir = eq < 0 ? "" : entry.slice(eq + 1).trim();
    if (eq < 0 || !dir) problems.push(`NEBULA_STACKS: "${entry}" must be name=/absolute/dir (e.g. media=/srv/media)`);
    else if (!STACK_NAME.test(name)) problems.push(`NEBULA_STACKS: stack name "${name}" must be lowercase letters, digits, - or _ (at most 64)`);
    else if (!path.isAbsolute(dir)) problems.push(`NEBULA_STACKS: the directory of "${name}" must be an absolute path, got "${dir}"`);
    else if (stacks.has(name)) problems.push(`NEBULA_STACKS: stack "${name}" is listed twice`);
    else stacks.set(name, path.normalize(dir));
  }
  return stacks;
}
