// GET /healthz: database and cache status (503 when degraded, so load balancers and uptime checks notice).
import { api } from "@nebula/schema";
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { checkHealth } from "./health.ts";

export const healthRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const health = api.Health.parse(await checkHealth(c.var.services));
  c.header("Cache-Control", "no-store");
  return c.json(health, health.status === "ok" ? 200 : 503);
});
