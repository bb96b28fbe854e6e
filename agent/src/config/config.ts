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
  /** Git checkouts deploy.run may pull (and bring up, when they hold a compose file), by name. */
  repos: ReadonlyMap<string, string>;
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
  const stacks = parseNamedDirs("NEBULA_STACKS", "stack", env.NEBULA_STACKS ?? "", "media=/srv/media", problems);
  const repos = parseNamedDirs("NEBULA_REPOS", "repository", env.NEBULA_REPOS ?? "", "site=/srv/site", problems);

  if (problems.length > 0) throw new AgentConfigError(problems);
  return { edgeUrl, token, dockerSocket, libvirtUri, stacks, repos };
}

/**
 * NEBULA_STACKS="media=/srv/media,tools=/srv/tools" (each directory holds a compose file) and
 * NEBULA_REPOS="site=/srv/site" (git checkouts deploy.run pulls): the edge names one, never a path.
 */
function parseNamedDirs(variable: string, what: string, value: string, example: string, problems: string[]): Map<string, string> {
  const dirs = new Map<string, string>();
  for (const entry of value.split(",").map((e) => e.trim()).filter(Boolean)) {
    const eq = entry.indexOf("=");
    const name = eq < 0 ? entry : entry.slice(0, eq).trim();
    const dir = eq < 0 ? "" : entry.slice(eq + 1).trim();
    if (eq < 0 || !dir) problems.push(`${variable}: "${entry}" must be name=/absolute/dir (e.g. ${example})`);
    else if (!STACK_NAME.test(name)) problems.push(`${variable}: ${what} name "${name}" must be lowercase letters, digits, - or _ (at most 64)`);
    else if (!path.isAbsolute(dir)) problems.push(`${variable}: the directory of "${name}" must be an absolute path, got "${dir}"`);
    else if (dirs.has(name)) problems.push(`${variable}: ${what} "${name}" is listed twice`);
    else dirs.set(name, path.normalize(dir));
  }
  return dirs;
}
