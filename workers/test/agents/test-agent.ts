// A home agent as the edge sees it, for tests inside workerd: it dials the real /agent/connect, says hello, and
// reads what the hub sends by message type (set_interval may arrive between a job and its ack), so tests await
// the message they expect rather than sleeping. Also the hub's test clock and the Postgres bridge's query counts.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import type { agentWire } from "@nebula/schema";
import { type AgentHub, HUB_CLOCK_OFFSET_KEY } from "../../src/agents/agent-hub.ts";
import { hubApplicationName } from "../../src/agents/hub-postgres.ts";
import { type SeededAgent, agentHello } from "../support/agents.ts";
import { type TestSocket, mustConnect } from "../support/sockets.ts";

type EdgeMessage = agentWire.EdgeMessage;
type Of<T extends EdgeMessage["type"]> = Extract<EdgeMessage, { type: T }>;

export const hubOf = (agentId: string) => env.AGENT_HUB.getByName(agentId);

export class TestAgent {
  private readonly held: EdgeMessage[] = [];
  private seq = 0;

  constructor(
    readonly socket: TestSocket,
    readonly agent: SeededAgent,
  ) {}

  /** The next message of this type; messages of other types are kept for their own `next` call. */
  async next<T extends EdgeMessage["type"]>(type: T): Promise<Of<T>> {
    const i = this.held.findIndex((m) => m.type === type);
    if (i !== -1) return this.held.splice(i, 1)[0] as Of<T>;
    for (;;) {
      const message = await this.socket.nextJson<EdgeMessage>();
      if (message.type === type) return message as Of<T>;
      this.held.push(message);
    }
  }

  /** Messages of this type received so far and not yet read. */
  pending(type: EdgeMessage["type"]): EdgeMessage[] {
    return this.held.filter((m) => m.type === type);
  }

  send(message: agentWire.AgentMessage | Record<string, unknown>): void {
    this.socket.sendJson(message);
  }

  /** Sends one metrics batch (the next seq unless given) and returns the hub's ack. */
  async sendMetrics(samples: agentWire.Sample[], seq = ++this.seq): Promise<number> {
    this.seq = Math.max(this.seq, seq);
    this.send({ type: "metrics", seq, samples });
    return (await this.next("metrics_ack")).seq;
  }

  close(): void {
    this.socket.close();
  }
}

export async function connectAgent(agent: SeededAgent): Promise<TestAgent> {
  const socket = await mustConnect("/agent/connect", { authorization: `Bearer ${agent.token}` });
  const test = new TestAgent(socket, agent);
  test.send(agentHello());
  await test.next("hello_ack");
  return test;
}

/**
 * Moves the hub's clock forward and runs its alarm, as the runtime would once that much time had passed. The
 * offset lives in the hub's storage (HUB_CLOCK_OFFSET_KEY); nothing in the product sets it.
 */
export async function advanceHubClock(agentId: string, ms: number): Promise<void> {
  await runInDurableObject(hubOf(agentId), async (hub: AgentHub, state) => {
    state.storage.kv.put(HUB_CLOCK_OFFSET_KEY, (state.storage.kv.get<number>(HUB_CLOCK_OFFSET_KEY) ?? 0) + ms);
    await hub.alarm();
  });
}

/** The hub's clock now (real time plus its test offset). */
export async function hubNow(agentId: string): Promise<number> {
  return runInDurableObject(hubOf(agentId), (_hub: AgentHub, state) => Date.now() + (state.storage.kv.get<number>(HUB_CLOCK_OFFSET_KEY) ?? 0));
}

/** Connections and queries the Postgres bridge (workers/local/db-bridge.ts) saw from this agent's hub. */
export async function hubPostgresTraffic(agentId: string): Promise<{ connections: number; queries: number }> {
  const bridge = (env.DB_WS_PROXY ?? "").split("/")[0];
  const res = await fetch(`http://${bridge}/__stats?app=${encodeURIComponent(hubApplicationName(agentId))}`);
  if (!res.ok) throw new Error(`bridge stats answered ${res.status}`);
  return res.json();
}
