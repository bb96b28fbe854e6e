// Agents over HTTP: the agent's own /agent/connect (token in the Authorization header, handed to its AgentHub)
// and the tenant's /api/t/:tenantId/agents (list with link state, create with the token shown once, revoke, and the
// live view: a browser websocket held by the agent's hub, receiving each metrics batch as the agent sends it).
import { api, idPattern } from "@nebula/schema";
import { Hono } from "hono";
import { z } from "zod";
import { AppError, notFound } from "../errors/app-error.ts";
import { caller } from "../http/caller.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody, params } from "../http/validate.ts";
import { relayUpgrade, requireWebSocketUpgrade } from "../http/websocket.ts";
import { authorize } from "../tenancy/access.ts";
import { HUB_AGENT_ID_HEADER, HUB_JOB_ID_HEADER, HUB_SOCKET_HEADER, HUB_TENANT_ID_HEADER, hubSocketRequest } from "./agent-hub.ts";
import { agentByToken, agentInTenant, createAgent, listAgents, revokeAgent } from "./agents.ts";

const AgentParams = z.object({ id: z.string().regex(idPattern("agent")) });

export const agentConnectRoutes = new Hono<AppEnv>().get("/connect", async (c) => {
  requireWebSocketUpgrade(c.req.header("upgrade"));
  const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
  const agent = bearer ? await agentByToken(c.var.services.db, bearer) : null;
  if (!agent) throw new AppError("UNAUTHORIZED", "Invalid or revoked agent token");
  // Identity goes to the hub in headers we set here, replacing anything the client sent under those names.
  const headers = new Headers(c.req.raw.headers);
  for (const name of ["authorization", HUB_SOCKET_HEADER, HUB_JOB_ID_HEADER]) headers.delete(name);
  headers.set(HUB_AGENT_ID_HEADER, agent.id);
  headers.set(HUB_TENANT_ID_HEADER, agent.tenantId);
  return relayUpgrade(await c.env.AGENT_HUB.getByName(agent.id).fetch(new Request(c.req.raw.url, { method: "GET", headers })));
});

export const agentRoutes = new Hono<AppEnv>()
  .get("/agents", authorize("agents.read"), async (c) =>
    c.json(api.AgentList.parse({ items: await listAgents(c.var.services.db, c.env.AGENT_HUB, c.var.tenant.tenantId) })),
  )
  .post("/agents", authorize("agents.create"), jsonBody(api.CreateAgentRequest), async (c) => {
    const { db, now } = c.var.services;
    const created = await createAgent(db, c.var.tenant, caller(c), c.req.valid("json"), now(), c.var.requestId);
    return c.json(api.CreatedAgent.parse(created), 201);
  })
  // A browser watching the host live: batches are forwarded as they arrive, and the agent reports every 2 s meanwhile.
  .get("/agents/:id/live", authorize("agents.read"), params(AgentParams), async (c) => {
    const { id } = c.req.valid("param");
    const agent = await agentInTenant(c.var.services.db, c.var.tenant.tenantId, id);
    if (agent.revokedAt) throw notFound("Agent");
    requireWebSocketUpgrade(c.req.header("upgrade"));
    return relayUpgrade(await c.env.AGENT_HUB.getByName(id).fetch(hubSocketRequest(c.req.raw, "viewer")));
  })
  .delete("/agents/:id", authorize("agents.revoke"), params(AgentParams), async (c) => {
    const { db, now } = c.var.services;
    await revokeAgent(db, c.env.AGENT_HUB, c.var.tenant, caller(c), c.req.valid("param").id, now(), c.var.requestId);
    return c.body(null, 204);
  });
