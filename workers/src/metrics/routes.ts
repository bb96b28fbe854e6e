// Host metrics over HTTP: GET /api/t/:tenantId/agents/:id/metrics?names=cpu.total,mem.used_pct&range=1h|24h|7d|30d.
// The live view is a websocket on the agents routes (/agents/:id/live).
import { api, idPattern } from "@nebula/schema";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../http/context.ts";
import { params, query } from "../http/validate.ts";
import { authorize } from "../tenancy/access.ts";
import { readMetrics } from "./metrics.ts";

const AgentParams = z.object({ id: z.string().regex(idPattern("agent")) });

export const metricRoutes = new Hono<AppEnv>().get("/agents/:id/metrics", authorize("agents.read"), params(AgentParams), query(api.MetricsQuery), async (c) => {
  const { db, now } = c.var.services;
  const body = await readMetrics(db, c.env.AGENT_HUB, c.var.tenant.tenantId, c.req.valid("param").id, c.req.valid("query"), now());
  return c.json(api.MetricsResponse.parse(body));
});
