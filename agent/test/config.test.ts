// The agent refuses to start on a bad environment, naming every missing or bad variable and never the token.
import { describe, expect, it } from "vitest";
import { AgentConfigError, parseAgentConfig } from "../src/config/config.ts";

const TOKEN = `nca_${"a".repeat(43)}`;

describe("parseAgentConfig", () => {
  it("accepts an https edge and a well-formed token", () => {
    expect(parseAgentConfig({ NEBULA_EDGE_URL: "https://nebula.example.com", NEBULA_AGENT_TOKEN: TOKEN })).toEqual({
      edgeUrl: "https://nebula.example.com",
      token: TOKEN,
    });
  });

  it("names both variables when both are missing", () => {
    try {
      parseAgentConfig({});
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AgentConfigError);
      const { problems } = err as AgentConfigError;
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(/^NEBULA_EDGE_URL is required/);
      expect(problems[1]).toMatch(/^NEBULA_AGENT_TOKEN is required/);
    }
  });

  it("explains a malformed URL or token without echoing the token", () => {
    const bad = "nca_tooshort-secret";
    try {
      parseAgentConfig({ NEBULA_EDGE_URL: "ftp://x", NEBULA_AGENT_TOKEN: bad });
      expect.unreachable();
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain("NEBULA_EDGE_URL: must be an https://");
      expect(message).toContain("NEBULA_AGENT_TOKEN: must be `nca_`");
      expect(message).not.toContain(bad);
    }
  });
});
