// The agent's configuration from its environment (systemd EnvironmentFile), with one message naming every problem.
import { AGENT_TOKEN_PATTERN } from "@nebula/schema/wire/agent";

export interface AgentConfig {
  edgeUrl: string;
  token: string;
}

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
  if (problems.length > 0) throw new AgentConfigError(problems);
  return { edgeUrl, token };
}
