// Quick reads (docker.list and friends, jobs/job-history.ts) as the dashboard makes them: once the isolate knows the
// caller, their role and the agent, a read job round-trips API -> hub -> agent -> back without touching Postgres.
// Counted at the local Postgres bridge under application names only this file uses: the API's and the hub's.
import { api, auditLog, jobs } from "@nebula/schema";
import { runInDurableObject } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { AgentHub } from "../../src/agents/agent-hub.ts";
import { hubApplicationName } from "../../src/agents/hub-postgres.ts";
import { seedAgent } from "../support/agents.ts";
import { type SeededTenant, type SeededUser, asUser, seedTenant, withDb } from "../support/seed.ts";
import { bridgeTraffic, callWorker, envNamed } from "../support/worker-call.ts";
import { type TestAgent, connectAgent, hubOf } from "../agents/test-agent.ts";

let lab: SeededTenant;
beforeAll(async () => {
  lab = await withDb((db) => seedTenant(db, "Quick Read Lab"));
});

const API_APP = `quick-read-api-${crypto.randomUUID().slice(0, 8)}`;
const countedEnv = envNamed(API_APP);

/** Runs a job as `as`, answering it from the test agent with `result`. */
async function readThroughAgent(agent: TestAgent, agentId: string, as: SeededUser, kind: string, result: unknown): Promise<api.Job> {
  const pending = callWorker(`/api/t/${lab.tenantId}/agents/${agentId}/jobs`, asUser(as, { method: "POST", body: JSON.stringify({ kind }) }), countedEnv);
  const request = await agent.next("job");
  agent.send({ type: "job_result", id: request.id, ok: true, result, durationMs: 1 });
  const res = await pending;
  expect(res.status).toBe(200);
  return api.Job.parse(await res.json());
}

describe("quick reads", () => {
  it("a warm docker.list makes no Postgres query, from the API or the agent's hub", async () => {
    const seeded = await withDb((db) => seedAgent(db, lab.tenantId));
    const agent = await connectAgent(seeded);
    const hubApp = hubApplicationName(seeded.agentId);

    // Cold: the session, the role and the agent are read once.
    const first = await readThroughAgent(agent, seeded.agentId, lab.members.viewer, "docker.list", [{ id: "abc", name: "plex" }]);
    expect(first).toMatchObject({ status: "succeeded", result: [{ id: "abc", name: "plex" }] });
    const cold = await bridgeTraffic(API_APP);
    expect(cold.queries).toBeGreaterThan(0);
    const hubBefore = await bridgeTraffic(hubApp);

    // Warm: nothing at all.
    const second = await readThroughAgent(agent, seeded.agentId, lab.members.viewer, "docker.list", [{ id: "abc", name: "plex" }, { id: "def", name: "sonarr" }]);
    expect(second).toMatchObject({ kind: "docker.list", status: "succeeded", error: null, requestedBy: { id: lab.members.viewer.userId } });
    expect(second.result).toHaveLength(2);
    expect(await bridgeTraffic(API_APP)).toEqual(cold);
    expect(await bridgeTraffic(hubApp)).toEqual(hubBefore);
    agent.close();
  });

  it("leaves no job row and no audit row; a state-changing job still writes both before it is sent", async () => {
    const seeded = await withDb((db) => seedAgent(db, lab.tenantId));
    const agent = await connectAgent(seeded);
    const read = await readThroughAgent(agent, seeded.agentId, lab.members.viewer, "vm.list", ["win11"]);
    expect(read).toMatchObject({ status: "succeeded", result: ["win11"] });
    expect(await withDb((db) => db.select().from(jobs).where(eq(jobs.agentId, seeded.agentId)))).toEqual([]);
    expect(await withDb((db) => db.select().from(auditLog).where(eq(auditLog.targetId, seeded.agentId)))).toEqual([]);
    // Not in history, so not readable later either.
    expect((await callWorker(`/api/t/${lab.tenantId}/jobs/${read.id}`, asUser(lab.members.viewer))).status).toBe(404);

    const pending = callWorker(
      `/api/t/${lab.tenantId}/agents/${seeded.agentId}/jobs`,
      asUser(lab.members.operator, { method: "POST", body: JSON.stringify({ kind: "docker.restart", params: { id: "plex" } }) }),
    );
    const request = await agent.next("job");
    // The rows exist while the job is on its way, before any answer.
    expect(await withDb((db) => db.select().from(jobs).where(eq(jobs.id, request.id)))).toHaveLength(1);
    expect((await withDb((db) => db.select().from(auditLog).where(eq(auditLog.targetId, seeded.agentId)))).map((a) => a.action)).toEqual(["job.docker.restart"]);
    expect((await pending).status).toBe(202);
    agent.close();
  });

  it("a quick read the agent never answers ends at its deadline as a timeout, and the agent is told to stop", async () => {
    const seeded = await withDb((db) => seedAgent(db, lab.tenantId));
    const agent = await connectAgent(seeded);
    const pending = callWorker(
      `/api/t/${lab.tenantId}/agents/${seeded.agentId}/jobs`,
      asUser(lab.members.viewer, { method: "POST", body: JSON.stringify({ kind: "docker.list", timeoutMs: 1000 }) }),
    );
    const request = await agent.next("job");
    // In flight, yet nothing in the hub's storage: no write holds the job or its answer (DO output gate).
    const stored = await runInDurableObject(hubOf(seeded.agentId), async (_hub: AgentHub, state) => [...state.storage.kv.list({ prefix: "job:" })]);
    expect(stored).toEqual([]);
    expect(await hubOf(seeded.agentId).status()).toMatchObject({ jobsInFlight: 1 });
    expect(await agent.next("job_cancel")).toMatchObject({ id: request.id, reason: "deadline passed" });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(api.Job.parse(await res.json())).toMatchObject({ id: request.id, status: "timeout", error: { code: "timeout" } });
    // Its late answer is ignored, and nothing is left in flight.
    agent.send({ type: "job_result", id: request.id, ok: true, result: [], durationMs: 1500 });
    await agent.sendMetrics([{ at: Date.now(), values: { "cpu.total": 1 } }]);
    expect(await hubOf(seeded.agentId).status()).toMatchObject({ ignoredJobResults: 1, jobsInFlight: 0 });
    agent.close();
  });

  it("a quick read from another tenant's member, or to an offline agent, is answered like any job", async () => {
    const seeded = await withDb((db) => seedAgent(db, lab.tenantId));
    const offline = await callWorker(`/api/t/${lab.tenantId}/agents/${seeded.agentId}/jobs`, asUser(lab.members.viewer, { method: "POST", body: JSON.stringify({ kind: "nas.status" }) }));
    expect(offline.status).toBe(200);
    expect(api.Job.parse(await offline.json())).toMatchObject({ status: "failed", error: { code: "unavailable" } });

    const other = await withDb((db) => seedTenant(db, "Quick Read Elsewhere"));
    const foreign = await callWorker(`/api/t/${other.tenantId}/agents/${seeded.agentId}/jobs`, asUser(other.members.owner, { method: "POST", body: JSON.stringify({ kind: "docker.list" }) }));
    expect(foreign.status).toBe(404);
  });
});
