// The agent's configuration from its environment (systemd EnvironmentFile), with one message naming every problem.
import path from "node:path";
import { AGENT_TOKEN_PATTERN, DEFAULT_METRICS_INTERVAL_SECONDS, JOB_KINDS, MAX_PROBES, PROBE_KINDS } from "@nebula/schema/wire/agent";
import { COMPOSE_CLIS_AUTO, type ComposeCli } from "../docker/compose.ts";

export interface AgentConfig {
  edgeUrl: string;
  token: string;
  /** The Docker Engine API's unix socket (Docker, or podman's Docker-compatible service). */
  dockerSocket: string;
  /** Where virsh connects (qemu:///system on a KVM host). */
  libvirtUri: string;
  /** Compose stacks the edge may bring up or down, by name: the edge names a stack, never a path. */
  stacks: ReadonlyMap<string, string>;
  /** How compose runs (NEBULA_COMPOSE_CLI): one pinned CLI, or the plugin then docker-compose, whichever answers. */
  composeClis: readonly ComposeCli[];
  /** Git checkouts deploy.run may pull (and bring up, when they hold a compose file), by name. */
  repos: ReadonlyMap<string, string>;
  /** Services probed every metrics interval (NEBULA_PROBES), in the order they were listed. */
  probes: readonly ProbeTarget[];
  /** How long one probe may take; shorter than the metrics interval, so a round never runs into the next. */
  probeTimeoutMs: number;
  /** Probes not run while gaming mode holds containers stopped (GAMING_PAUSE_PROBES): their service is lent out, not down. */
  gamingPauseProbes: ReadonlySet<string>;
}

export type ProbeKind = (typeof PROBE_KINDS)[number];

export interface ProbeTarget {
  /** Names the samples: probe.<name>.up and probe.<name>.latency_ms. */
  name: string;
  kind: ProbeKind;
  url: string;
}

export const DEFAULT_DOCKER_SOCKET = "/var/run/docker.sock";
export const DEFAULT_LIBVIRT_URI = "qemu:///system";
export const DEFAULT_PROBE_TIMEOUT_MS = 5000;
/** A second below the 10 s resting interval: a hung service answers "down" before the next round is due. */
export const MAX_PROBE_TIMEOUT_MS = DEFAULT_METRICS_INTERVAL_SECONDS * 1000 - 1000;
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
  const composeClis = parseComposeCli(env.NEBULA_COMPOSE_CLI, problems);

  const probes = parseProbes(env.NEBULA_PROBES ?? "", problems);
  const probeTimeoutMs = parseProbeTimeout(env.NEBULA_PROBE_TIMEOUT_MS, problems);
  const gamingPauseProbes = parseGamingPauseProbes(env.GAMING_PAUSE_PROBES, env.GAMING_STOP_CONTAINERS, probes, problems);

  if (problems.length > 0) throw new AgentConfigError(problems);
  return { edgeUrl, token, dockerSocket, libvirtUri, stacks, composeClis, repos, probes, probeTimeoutMs, gamingPauseProbes };
}

/** A program name looked up on PATH, or an absolute path; never a shell word. */
const PROGRAM = /^(\/[^\s]+|[A-Za-z0-9._-]+)$/;

/**
 * NEBULA_COMPOSE_CLI: unset or "auto" tries `docker compose` then `docker-compose`; "docker compose" pins the plugin
 * (through that docker CLI), any other single program (docker-compose, /opt/bin/docker-compose) pins a standalone one.
 */
function parseComposeCli(raw: string | undefined, problems: string[]): readonly ComposeCli[] {
  const value = raw?.trim() ?? "";
  if (value === "" || value === "auto") return COMPOSE_CLIS_AUTO;
  const [program = "", ...rest] = value.split(/\s+/);
  if (PROGRAM.test(program) && rest.length === 0) return [{ program, subcommand: [] }];
  if (PROGRAM.test(program) && rest.length === 1 && rest[0] === "compose") return [{ program, subcommand: ["compose"] }];
  problems.push(`NEBULA_COMPOSE_CLI: must be auto, "docker compose", docker-compose, or either with an absolute path (got "${value.slice(0, 100)}")`);
  return COMPOSE_CLIS_AUTO;
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

const PROBE_EXAMPLE = "plex=plex:http://127.0.0.1:32400";

/**
 * NEBULA_PROBES="plex=plex:http://127.0.0.1:32400,ha=home-assistant:http://127.0.0.1:8123,site=https://example.com":
 * name=kind:url, where kind is plex, home-assistant, minio or http; a bare URL is an http probe. URLs go through the
 * host.probe_url job's own schema, so a configured probe and one an admin asks for accept the same URLs.
 */
export function parseProbes(value: string, problems: string[]): ProbeTarget[] {
  const probes: ProbeTarget[] = [];
  const kinds = PROBE_KINDS.join(", ");
  const entries = value.split(",").map((e) => e.trim()).filter(Boolean);
  for (const [i, entry] of entries.entries()) {
    const eq = entry.indexOf("=");
    const name = eq < 0 ? entry : entry.slice(0, eq).trim();
    const target = eq < 0 ? "" : entry.slice(eq + 1).trim();
    // Entries are not echoed whole: a URL may carry a password (http://user:pass@host).
    if (eq < 0 || !target) problems.push(`NEBULA_PROBES: entry ${i + 1} must be name=kind:url with kind one of ${kinds} (e.g. ${PROBE_EXAMPLE})`);
    else if (!STACK_NAME.test(name)) problems.push(`NEBULA_PROBES: probe name "${name.slice(0, 60)}" must be lowercase letters, digits, - or _ (at most 64)`);
    else if (probes.some((p) => p.name === name)) problems.push(`NEBULA_PROBES: probe "${name}" is listed twice`);
    else {
      const probe = probeTarget(name, target);
      if (probe) probes.push(probe);
      else problems.push(`NEBULA_PROBES: "${name}" must be kind:url with kind one of ${kinds} and an http(s) URL of at most 500 characters (e.g. ${PROBE_EXAMPLE})`);
    }
  }
  if (probes.length > MAX_PROBES) problems.push(`NEBULA_PROBES: at most ${MAX_PROBES} probes (got ${probes.length})`);
  return probes;
}

/** "kind:url", or a bare http(s) URL ("https://x" reads as kind "https" with url "//x" first, which is no URL). */
function probeTarget(name: string, target: string): ProbeTarget | null {
  const colon = target.indexOf(":");
  const candidates = [{ kind: target.slice(0, colon), url: target.slice(colon + 1) }, { kind: "http", url: target }];
  for (const candidate of colon > 0 ? candidates : candidates.slice(1)) {
    const parsed = JOB_KINDS["host.probe_url"].params.safeParse(candidate);
    if (parsed.success) return { name, kind: parsed.data.kind, url: parsed.data.url };
  }
  return null;
}

/**
 * GAMING_PAUSE_PROBES="plex,tautulli": probes of services that go away with the containers gaming mode stops. Unset,
 * the probes named like one of GAMING_STOP_CONTAINERS (which gaming/gaming-config.ts checks); "none" pauses none.
 */
function parseGamingPauseProbes(raw: string | undefined, stopContainers: string | undefined, probes: readonly ProbeTarget[], problems: string[]): ReadonlySet<string> {
  const names = (value: string) => value.split(",").map((n) => n.trim()).filter(Boolean);
  const value = raw?.trim() ?? "";
  if (value === "") {
    const stopped = new Set(names(stopContainers ?? ""));
    return new Set(probes.filter((p) => stopped.has(p.name)).map((p) => p.name));
  }
  if (value === "none") return new Set();
  const paused = new Set<string>();
  for (const name of names(value)) {
    if (probes.some((p) => p.name === name)) paused.add(name);
    else problems.push(`GAMING_PAUSE_PROBES: "${name.slice(0, 64)}" is not a probe named in NEBULA_PROBES (or set "none" to pause no probe)`);
  }
  return paused;
}

function parseProbeTimeout(raw: string | undefined, problems: string[]): number {
  const value = raw?.trim();
  if (!value) return DEFAULT_PROBE_TIMEOUT_MS;
  const ms = Number(value);
  if (!/^\d+$/.test(value) || ms < 100 || ms > MAX_PROBE_TIMEOUT_MS) {
    problems.push(`NEBULA_PROBE_TIMEOUT_MS: must be milliseconds from 100 to ${MAX_PROBE_TIMEOUT_MS}, below the metrics interval (got "${value.slice(0, 20)}")`);
    return DEFAULT_PROBE_TIMEOUT_MS;
  }
  return ms;
}
