// Who a hub socket is comes from the Worker's routes, never from the client: an agent cannot dial in as a viewer
// or a job follower, and a browser cannot dial in as an agent.
import { beforeAll, expect, it } from "vitest";
import { HUB_AGENT_ID_HEADER, HUB_SOCKET_HEADER, HUB_TENANT_ID_HEADER } from "../../src/agents/agent-hub.ts";
import { type SeededAgent, agentHello, seedAgent } from "../support/agents.ts";
import { type SeededTenant, seedTenant, withDb } from "../support/seed.ts";
import { mustConnect } from "../support/sockets.ts";
import { hubOf } from "./test-agent.ts";

let lab: SeededTenant;
let seeded: SeededAgent;
beforeAll(async () => {
  lab = await withDb((db) => seedTenant(db, "Socket Lab"));
  seeded = await withDb((db) => seedAgent(db, lab.tenantId));
});

it("treats an agent that claims to be a viewer as the agent it is", async () => {
  const socket = await mustConnect("/agent/connect", { authorization: `Bearer ${seeded.token}`, [HUB_SOCKET_HEADER]: "viewer" });
  socket.sendJson(agentHello());
  expect(await socket.nextJson()).toMatchObject({ type: "hello_ack" });
  expect(await hubOf(seeded.agentId).status()).toMatchObject({ connected: true, viewers: 0 });
  socket.close();
});

it("treats a viewer that claims to be an agent as a viewer", async () => {
  const viewer = await mustConnect(`/api/t/${lab.tenantId}/agents/${seeded.agentId}/live`, {
    cookie: lab.members.viewer.cookie,
    [HUB_AGENT_ID_HEADER]: seeded.agentId,
    [HUB_TENANT_ID_HEADER]: lab.tenantId,
  });
  expect(await hubOf(seeded.agentId).status()).toMatchObject({ viewers: 1 });
  viewer.close();
});
