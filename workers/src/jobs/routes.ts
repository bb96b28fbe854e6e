// Jobs over HTTP, under /api/t/:tenantId: run one on an agent, an agent's history, one job, cancel, and a live
// follow at /jobs/:jobId/stream (a websocket held by the agent's hub: progress, log and result frames as JSON,
// the same shapes the agent sends; closed with 1000 after the result).
import { api, idPattern } from "@nebula/schema";
import { Hono } from "hono";
import { z } from "zod";
import { hubSocketRequest } from "../agents/agent-hub.ts";
import { caller } from "../http/caller.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody, params, query } from "../http/validate.ts";
import { relayUpgrade, requireWebSocketUpgrade } from "../http/websocket.ts";
import { authorize } from "../tenancy/access.ts";
import { cancelJob, followJob, listAgentJobs, readJob, runJob } from "./jobs.ts";

const AgentParams = z.object({ id: z.string().regex(idPattern("agent")) });
const JobParams = z.object({ jobId: z.string().regex(idPattern("job")) });

export const jobRoutes = new Hono<AppEnv>()
  .post("/agents/:id/jobs", authorize("jobs.run"), params(AgentParams), query(api.RunJobQuery), jsonBody(api.RunJobRequest), async (c) => {
    const { db, now } = c.var.services;
    const wait = c.req.valid("query").wait;
    const ran = await runJob(
      db,
      c.env.AGENT_HUB,
      c.var.tenant,
      caller(c),
      c.req.valid("param").id,
      c.req.valid("json"),
      wait === undefined ? undefined : wait === "true",
      now(),
      c.var.requestId,
    );
    return c.json(api.Job.parse(ran.job), ran.finished ? 200 : 202);
  })
  .get("/agents/:id/jobs", authorize("jobs.read"), params(AgentParams), query(api.JobListQuery), async (c) =>
    c.json(api.JobList.parse(await listAgentJobs(c.var.services.db, c.var.tenant.tenantId, c.req.valid("param").id, c.req.valid("query")))),
  )
  .get("/jobs/:jobId", authorize("jobs.read"), params(JobParams), async (c) =>
    c.json(api.Job.parse(await readJob(c.var.services.db, c.env.AGENT_HUB, c.var.tenant.tenantId, c.req.valid("param").jobId))),
  )
  .post("/jobs/:jobId/cancel", authorize("jobs.run"), params(JobParams), async (c) => {
    const { db, now } = c.var.services;
    const job = await cancelJob(db, c.env.AGENT_HUB, c.var.tenant, caller(c), c.req.valid("param").jobId, now(), c.var.requestId);
    return c.json(api.Job.parse(job), 202);
  })
  .get("/jobs/:jobId/stream", authorize("jobs.read"), params(JobParams), async (c) => {
    const { jobId } = c.req.valid("param");
    requireWebSocketUpgrade(c.req.header("upgrade"));
    return relayUpgrade(await followJob(c.var.services.db, c.env.AGENT_HUB, c.var.tenant.tenantId, jobId, hubSocketRequest(c.req.raw, "job", jobId)));
  });
