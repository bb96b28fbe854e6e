// Jobs through the hub, end to end: the API writes the job and its audit row, the agent's hub sends it over the
// agent's real socket, and this test answers as an agent would (progress, logs, one result). Quick reads, which
// leave no rows, are in quick-reads.test.ts.
import { exports } from "cloudflare:workers";
import { agentWire, api, auditLog, jobs } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { type SeededAgent, seedAgent } from "../support/agents.ts";
import { type SeededTenant, type SeededUser, asUser, seedTenant, url, withDb } from "../support/seed.ts";
import { mustConnect } from "../support/sockets.ts";
import { type TestAgent, advanceHubClock, connectAgent, hubOf } from "../agents/test-agent.ts";

let lab: SeededTenant;
let other: SeededTenant;
beforeAll(async () => {
  [lab, other] = await withDb(async (db) => [await seedTenant(db, "Jobs Lab"), await seedTenant(db, "Other Jobs Lab")]);
});

const newAgent = (tenantId = lab.tenantId) => withDb((db) => seedAgent(db, tenantId));

function runJob(agentId: string, as: SeededUser, body: Record<string, unknown>, query = "", tenantId = lab.tenantId) {
  return exports.default.fetch(url(`/api/t/${tenantId}/agents/${agentId}/jobs${query}`), asUser(as, { method: "POST", body: JSON.stringify(body) }));
}

const getJob = async (jobId: string, as: SeededUser = lab.members.viewer) => {
  const res = await exports.default.fetch(url(`/api/t/${lab.tenantId}/jobs/${jobId}`), asUser(as));
  return { status: res.status, job: res.status === 200 ? api.Job.parse(await res.json()) : null };
};

const jobRows = (agentId: string) => withDb((db) => db.select().from(jobs).where(eq(jobs.agentId, agentId)));

async function connected(): Promise<{ seeded: SeededAgent; agent: TestAgent }> {
  const seeded = await newAgent();
  return { seeded, agent: await connectAgent(seeded) };
}

describe("POST /api/t/:tenantId/agents/:id/jobs", () => {
  it("runs a read-only job and answers with its result (waits by default)", async () => {
    const { seeded, agent } = await connected();
    const pending = runJob(seeded.agentId, lab.members.viewer, { kind: "docker.logs", params: { id: "plex" } });

    const request = await agent.next("job");
    expect(request).toMatchObject({
      kind: "docker.logs",
      params: { id: "plex", tail: 200, follow: false },
      requestedBy: { id: lab.members.viewer.userId, name: lab.members.viewer.name },
    });
    expect(request.id).toMatch(agentWire.JOB_ID_PATTERN);
    expect(request.deadline).toBeGreaterThan(Date.now());
    agent.send({ type: "job_progress", id: request.id, step: "list", status: "running", message: "listing", at: Date.now() });
    agent.send({ type: "job_result", id: request.id, ok: true, result: [{ id: "abc", name: "plex" }], durationMs: 12 });

    const res = await pending;
    expect(res.status).toBe(200);
    const job = api.Job.parse(await res.json());
    expect(job).toMatchObject({ id: request.id, kind: "docker.logs", status: "succeeded", result: [{ id: "abc", name: "plex" }], error: null, agentId: seeded.agentId });
    expect(job.finishedAt).not.toBeNull();

    expect((await getJob(job.id)).job).toMatchObject({ status: "succeeded", result: [{ id: "abc", name: "plex" }], requestedBy: { id: lab.members.viewer.userId } });
    const audits = await withDb((db) => db.select().from(auditLog).where(and(eq(auditLog.tenantId, lab.tenantId), eq(auditLog.action, "job.docker.logs"), eq(auditLog.targetId, seeded.agentId))));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: lab.members.viewer.userId, targetType: "agent", details: { jobId: job.id } });
    expect((await hubOf(seeded.agentId).status()).jobsInFlight).toBe(0);
    agent.close();
  });

  it("records a job the agent reports as failed", async () => {
    const { seeded, agent } = await connected();
    const pending = runJob(seeded.agentId, lab.members.viewer, { kind: "docker.logs", params: { id: "ghost" } });
    const request = await agent.next("job");
    agent.send({ type: "job_result", id: request.id, ok: false, error: { code: "not_found", message: "No such container: ghost" }, durationMs: 3 });
    const job = api.Job.parse(await (await pending).json());
    expect(job).toMatchObject({ status: "failed", error: { code: "not_found", message: "No such container: ghost" }, result: null });
    expect((await getJob(job.id)).job).toMatchObject({ status: "failed", error: { code: "not_found" } });
    agent.close();
  });

  it("answers 202 for a state-changing job and records the result when it comes", async () => {
    const { seeded, agent } = await connected();
    const res = await runJob(seeded.agentId, lab.members.operator, { kind: "docker.restart", params: { id: "plex" } });
    expect(res.status).toBe(202);
    const accepted = api.Job.parse(await res.json());
    expect(accepted).toMatchObject({ status: "running", params: { id: "plex", timeoutSeconds: 10 } });
    expect(accepted.startedAt).not.toBeNull();

    const request = await agent.next("job");
    expect(request.id).toBe(accepted.id);
    agent.send({ type: "job_result", id: request.id, ok: true, result: { restarted: true }, durationMs: 900 });
    expect(await hubOf(seeded.agentId).waitForJob(accepted.id, 30_000)).toMatchObject({ status: "succeeded" });
    expect((await getJob(accepted.id)).job).toMatchObject({ status: "succeeded", result: { restarted: true } });
    agent.close();
  });

  it("times a job out at its deadline and tells the agent to stop", async () => {
    const { seeded, agent } = await connected();
    const pending = runJob(seeded.agentId, lab.members.operator, { kind: "docker.stop", params: { id: "plex" }, timeoutMs: 60_000 }, "?wait=true");
    const request = await agent.next("job");
    await advanceHubClock(seeded.agentId, 60_001);

    expect(await agent.next("job_cancel")).toMatchObject({ id: request.id });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(api.Job.parse(await res.json())).toMatchObject({ status: "timeout", error: { code: "timeout" } });
    expect((await getJob(request.id)).job).toMatchObject({ status: "timeout" });
    // The agent's late answer changes nothing.
    agent.send({ type: "job_result", id: request.id, ok: true, result: "late", durationMs: 61_000 });
    await agent.sendMetrics([{ at: Date.now(), values: { "cpu.total": 1 } }]);
    expect((await getJob(request.id)).job).toMatchObject({ status: "timeout", result: null });
    agent.close();
  });

  it("fails at once, with a clear error, when the agent is offline", async () => {
    const seeded = await newAgent();
    const res = await runJob(seeded.agentId, lab.members.operator, { kind: "docker.start", params: { id: "plex" } });
    expect(res.status).toBe(200);
    const job = api.Job.parse(await res.json());
    expect(job).toMatchObject({ status: "failed", error: { code: "unavailable", message: expect.stringMatching(/offline/) } });
    expect(await jobRows(seeded.agentId)).toMatchObject([{ status: "failed", error: { code: "unavailable" } }]);
  });

  it("refuses a kind above the caller's role with 403 and writes nothing", async () => {
    const { seeded, agent } = await connected();
    const res = await runJob(seeded.agentId, lab.members.viewer, { kind: "docker.stop", params: { id: "plex" } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "FORBIDDEN", details: { kind: "docker.stop", role: "operator" } } });
    const owner = await runJob(seeded.agentId, lab.members.admin, { kind: "host.reboot", params: { confirm: true } });
    expect(owner.status).toBe(403);
    expect(await jobRows(seeded.agentId)).toEqual([]);
    expect(agent.pending("job")).toEqual([]);
    agent.close();
  });

  it("lets a viewer probe a service configured on the agent by name, and only an admin name a URL", async () => {
    const { seeded, agent } = await connected();
    // A viewer (or a viewer's API token) must not make the home agent request an address of their choosing.
    const url = await runJob(seeded.agentId, lab.members.viewer, { kind: "host.probe_url", params: { kind: "http", url: "http://192.168.1.1/" } });
    expect(url.status).toBe(403);
    expect(await url.json()).toMatchObject({ error: { code: "FORBIDDEN", details: { kind: "host.probe_url", role: "admin" } } });
    const smuggled = await runJob(seeded.agentId, lab.members.viewer, { kind: "host.probe", params: { kind: "http", url: "http://192.168.1.1/" } });
    expect(smuggled.status).toBe(400);
    expect(await jobRows(seeded.agentId)).toEqual([]);
    expect(agent.pending("job")).toEqual([]);

    const byName = runJob(seeded.agentId, lab.members.viewer, { kind: "host.probe", params: { probe: "plex" } });
    const request = await agent.next("job");
    expect(request).toMatchObject({ kind: "host.probe", params: { probe: "plex", timeoutMs: 5000 } });
    agent.send({ type: "job_result", id: request.id, ok: true, result: { up: true, status: 200, latencyMs: 3, detail: "Plex 1.41" }, durationMs: 4 });
    expect((await byName).status).toBe(200);

    const asAdmin = runJob(seeded.agentId, lab.members.admin, { kind: "host.probe_url", params: { kind: "http", url: "http://192.168.1.1/" } });
    const adminRequest = await agent.next("job");
    expect(adminRequest).toMatchObject({ kind: "host.probe_url", params: { kind: "http", url: "http://192.168.1.1/" } });
    // Not a viewer kind: answered "running" at once (202), like every other admin job.
    expect((await asAdmin).status).toBe(202);
    agent.send({ type: "job_result", id: adminRequest.id, ok: true, result: { up: true, status: 200, latencyMs: 2, detail: "HTTP 200" }, durationMs: 3 });
    expect(await hubOf(seeded.agentId).waitForJob(adminRequest.id, 30_000)).toMatchObject({ status: "succeeded" });
    agent.close();
  });

  it("answers 404 for another tenant's agent", async () => {
    const foreign = await newAgent(other.tenantId);
    const res = await runJob(foreign.agentId, lab.members.owner, { kind: "docker.list" });
    expect(res.status).toBe(404);
    const missing = await runJob("agt_0000000000000000", lab.members.owner, { kind: "docker.list" });
    expect(res.status).toBe(missing.status);
    expect(await jobRows(foreign.agentId)).toEqual([]);
  });

  it("answers 400 for a kind outside the allowlist or bad params", async () => {
    const seeded = await newAgent();
    const shell = await runJob(seeded.agentId, lab.members.owner, { kind: "shell.exec", params: { cmd: "rm -rf /" } });
    expect(shell.status).toBe(400);
    expect(await shell.json()).toMatchObject({ error: { code: "BAD_REQUEST", message: expect.stringContaining("not allowed") } });
    const params = await runJob(seeded.agentId, lab.members.owner, { kind: "docker.stop", params: { id: "../etc", extra: 1 } });
    expect(params.status).toBe(400);
    const timeout = await runJob(seeded.agentId, lab.members.owner, { kind: "docker.list", timeoutMs: 10 });
    expect(timeout.status).toBe(400);
    expect(await jobRows(seeded.agentId)).toEqual([]);
  });

  it("answers 409 for a revoked agent", async () => {
    const seeded = await newAgent();
    await exports.default.fetch(url(`/api/t/${lab.tenantId}/agents/${seeded.agentId}`), asUser(lab.members.owner, { method: "DELETE" }));
    const res = await runJob(seeded.agentId, lab.members.owner, { kind: "docker.list" });
    expect(res.status).toBe(409);
  });

  it("ignores a duplicate job_result for a finished job", async () => {
    const { seeded, agent } = await connected();
    const pending = runJob(seeded.agentId, lab.members.viewer, { kind: "docker.logs", params: { id: "plex" } });
    const request = await agent.next("job");
    agent.send({ type: "job_result", id: request.id, ok: true, result: ["win11"], durationMs: 5 });
    expect(api.Job.parse(await (await pending).json())).toMatchObject({ status: "succeeded", result: ["win11"] });

    agent.send({ type: "job_result", id: request.id, ok: false, error: { code: "failed", message: "replayed" }, durationMs: 5 });
    await agent.sendMetrics([{ at: Date.now(), values: { "cpu.total": 1 } }]); // handled after the duplicate
    expect(await hubOf(seeded.agentId).status()).toMatchObject({ ignoredJobResults: 1, jobsInFlight: 0 });
    expect((await getJob(request.id)).job).toMatchObject({ status: "succeeded", result: ["win11"], error: null });
    agent.close();
  });
});

describe("cancel, follow, history", () => {
  it("cancels a running job through the agent and streams its progress, logs and end to a follower", async () => {
    const { seeded, agent } = await connected();
    const res = await runJob(seeded.agentId, lab.members.admin, { kind: "docker.pull", params: { image: "ghcr.io/acme/app:1.2" } });
    const job = api.Job.parse(await res.json());
    const request = await agent.next("job");
    agent.send({ type: "job_progress", id: job.id, step: "pull", status: "running", message: "layer 1/3", at: Date.now() });

    const follower = await mustConnect(`/api/t/${lab.tenantId}/jobs/${job.id}/stream`, { cookie: lab.members.viewer.cookie });
    expect(await follower.nextJson()).toMatchObject({ type: "job_progress", message: "layer 1/3" });
    agent.send({ type: "job_log", id: job.id, stream: "stdout", data: "Pulling fs layer\n" });
    expect(await follower.nextJson()).toEqual({ type: "job_log", id: job.id, stream: "stdout", data: "Pulling fs layer\n" });

    // Cancelling needs the kind's role (admin for docker.pull).
    const cancelAs = (user: SeededUser) => exports.default.fetch(url(`/api/t/${lab.tenantId}/jobs/${job.id}/cancel`), asUser(user, { method: "POST" }));
    expect((await cancelAs(lab.members.operator)).status).toBe(403);
    const cancelled = await cancelAs(lab.members.admin);
    expect(cancelled.status).toBe(202);
    expect(await agent.next("job_cancel")).toMatchObject({ id: request.id });
    agent.send({ type: "job_result", id: job.id, ok: false, error: { code: "cancelled", message: "stopped on request" }, durationMs: 40 });

    expect(await follower.nextJson()).toMatchObject({ type: "job_result", ok: false, error: { code: "cancelled" } });
    expect(await follower.closed).toMatchObject({ code: 1000 });
    expect(await hubOf(seeded.agentId).waitForJob(job.id, 30_000)).toMatchObject({ status: "cancelled" });
    expect((await getJob(job.id)).job).toMatchObject({ status: "cancelled" });
    expect((await cancelAs(lab.members.admin)).status).toBe(409);
    const follow = await exports.default.fetch(url(`/api/t/${lab.tenantId}/jobs/${job.id}/stream`), { headers: { upgrade: "websocket", cookie: lab.members.viewer.cookie } });
    expect(follow.status).toBe(410);
    const audits = await withDb((db) => db.select().from(auditLog).where(and(eq(auditLog.action, "job.cancel"), eq(auditLog.targetId, job.id))));
    expect(audits).toHaveLength(1);
    agent.close();
  });

  it("cancels at once when the agent has gone away", async () => {
    const { seeded, agent } = await connected();
    const job = api.Job.parse(await (await runJob(seeded.agentId, lab.members.operator, { kind: "vm.start", params: { name: "win11" } })).json());
    await agent.next("job");
    agent.close();
    await agent.socket.closed;
    const res = await exports.default.fetch(url(`/api/t/${lab.tenantId}/jobs/${job.id}/cancel`), asUser(lab.members.operator, { method: "POST" }));
    expect(res.status).toBe(202);
    expect(api.Job.parse(await res.json())).toMatchObject({ status: "cancelled" });
  });

  it("lists an agent's jobs newest first, a page at a time, and hides other tenants' jobs", async () => {
    const seeded = await newAgent();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(api.Job.parse(await (await runJob(seeded.agentId, lab.members.viewer, { kind: "docker.logs", params: { id: "plex" } })).json()).id);
    const page = async (query: string) => {
      const res = await exports.default.fetch(url(`/api/t/${lab.tenantId}/agents/${seeded.agentId}/jobs${query}`), asUser(lab.members.viewer));
      expect(res.status).toBe(200);
      return api.JobList.parse(await res.json());
    };
    const first = await page("?limit=2");
    expect(first.items.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    const second = await page(`?limit=2&cursor=${first.nextCursor}`);
    expect(second).toEqual({ items: [expect.objectContaining({ id: ids[0], status: "failed" })], nextCursor: null });

    const foreign = await exports.default.fetch(url(`/api/t/${other.tenantId}/agents/${seeded.agentId}/jobs`), asUser(other.members.owner));
    expect(foreign.status).toBe(404);
    const foreignJob = await exports.default.fetch(url(`/api/t/${other.tenantId}/jobs/${ids[0]}`), asUser(other.members.owner));
    expect(foreignJob.status).toBe(404);
  });
});
