// Agent rows and hello frames for tests: a real row with a real token hash, as POST /agents makes them,
// and the hello a connecting agent sends. Node unit tests import it too: keep workerd-only modules out.
import { agents, newId } from "@nebula/schema";
import { randomToken, sha256Hex } from "../../src/crypto/tokens.ts";
import type { Db } from "../../src/db/client.ts";

export interface SeededAgent {
  agentId: string;
  tenantId: string;
  token: string;
}

export async function seedAgent(db: Db, tenantId: string, name = "homelab"): Promise<SeededAgent> {
  const token = randomToken("nca_", 32);
  const agentId = newId("agent");
  await db.insert(agents).values({ id: agentId, tenantId, name, tokenHash: await sha256Hex(token) });
  return { agentId, tenantId, token };
}

export function agentHello(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "hello",
    protocol: 1,
    agentVersion: "0.1.0",
    hostname: "nebula-box",
    os: "linux",
    arch: "x64",
    capabilities: ["docker", "metrics"],
    ...overrides,
  };
}
