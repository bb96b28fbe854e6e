// An agent credential of tenant A against tenant B: the token is no API credential anywhere under /api, identity
// headers a client sends to /agent/connect cannot steer it onto B's agent's hub, and what A's agent sends about B's
// job (progress, logs, a result) lands in A's own hub, where it is counted and ignored.
import { exports } from "cloudflare:workers";
import { agents, api } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { HUB_AGENT_ID_HEADER, HUB_JOB_ID_HEADER, HUB_SOCKET_HEADER, HUB_TENANT_ID_HEADER } from "../../src/agents/agent-hub.ts";
import { concretePath, tenantRoutes, userRoutes } from "../api/route-table.ts";
import { type SeededAgent, agentHello, seedAgent } from "../support/agents.ts";
import { type SeededTenant, asUser, seedTenant, url, withDb } from "../support/seed.ts";
import { mustConnect } from "../support/sockets.ts";
import { TestAgent, connectAgent, hubOf } from "./test-agent.ts";

let labA: SeededTenant;
let labB: SeededTenant;
beforeAll(async () => {
  [labA, labB] = await withDb(async (db) => [await seedTenant(db, "Tenant A Lab"), await seedTenant(db, "Tenant B Lab")]);
});

const seedPair = () => withDb(async (db) => ({ a: await seedAgent(db, labA.tenantId, "a-box"), b: await seedAgent(db, labB.tenantId, "b-box") }));

/** A's agent dialing in while claiming, in every header and query parameter the edge or hub could read, to be B's. */
async function connectSpoofing(a: SeededAgent, b: SeededAgent, jobId = "job_0000000000000000"): Promise<TestAgent> {
  const socket = await mustConnect(`/agent/connect?agentId=${b.agentId}&tenantId=${b.tenantId}`, {
    authorization: `Bearer ${a.token}`,
    [HUB_AGENT_ID_HEADER]: b.agentId,
    [HUB_TENANT_ID_HEADER]: b.tenantId,
    [HUB_SOCKET_HEADER]: "job",
    [HUB_JOB_ID_HEADER]: jobId,
  });
  const agent = new TestAgent(socket, a);
  agent.send(agentHello({ hostname: "a-host" }));
  await agent.next("hello_ack");
  return agent;
}

const agentRow = async (agentId: string) => (await withDb((db) => db.select().from(agents).where(eq(agents.id, agentId))))[0];

describe("an agent token on the API", () => {
  it("is refused with 401 on every /api route, for B's tenant and agent as for its own", async () => {
    const { a, b } = await seedPair();
    const routes = [...tenantRoutes(), ...userRoutes()];
    const targets = [
      { tenantId: labB.tenantId, agentId: b.agentId },
      { tenantId: labA.tenantId, agentId: a.agentId },
    ];
    for (const route of routes) {
      for (const target of targets) {
        const path = concretePath(route.path.replace("/agents/:id", `/agents/${target.agentId}`), target.tenantId);
        const res = await exports.default.fetch(url(path), { method: route.method, headers: { authorization: `Bearer ${a.token}` } });
        const label = `${route.method} ${path}`;
        expect(res.status, label).toBe(401);
        // The same answer as a token that names nothing: an agent token tells the API nothing about anyone.
        expect(await res.json(), label).toMatchObject({ error: { code: "UNAUTHORIZED", message: "Invalid or revoked API token" } });
      }
    }
    expect(routes.length).toBeGreaterThan(8);
  });

  it("is no session either: sent as the session cookie it is ignored and the call needs sign-in", async () => {
    const { a, b } = await seedPair();
    for (const path of [`/api/t/${labB.tenantId}/agents`, `/api/t/${labB.tenantId}/agents/${b.agentId}/metrics?names=cpu.total`, "/api/me"]) {
      const res = await exports.default.fetch(url(path), { headers: { cookie: `nc_session=${a.token}` } });
      expect(res.status, path).toBe(401);
    }
  });
});

describe("GET /agent/connect with spoofed identity", () => {
  it("connects A's token as A's own agent, whatever agent and tenant the request claims", async () => {
    const { a, b } = await seedPair();
    const spoofer = await connectSpoofing(a, b);
    const t = Date.now() - 60_000;
    expect(await spoofer.sendMetrics([{ at: t, values: { "cpu.total": 77 } }])).toBe(1);

    expect(await hubOf(a.agentId).status()).toMatchObject({ connected: true, hostFacts: { hostname: "a-host" } });
    expect(await hubOf(b.agentId).status()).toMatchObject({ connected: false, lastHelloAt: null, hostFacts: null, metrics: { ackedSeq: 0 } });
    const [aCpu] = await hubOf(a.agentId).series(["cpu.total"], t - 1, t + 1, "raw");
    const [bCpu] = await hubOf(b.agentId).series(["cpu.total"], t - 1, t + 1, "raw");
    expect(aCpu?.points.map((p) => p.avg)).toEqual([77]);
    expect(bCpu?.points).toEqual([]);
    expect(await agentRow(a.agentId)).toMatchObject({ tenantId: labA.tenantId, hostFacts: { hostname: "a-host" } });
    expect(await agentRow(b.agentId)).toMatchObject({ tenantId: labB.tenantId, hostFacts: null, lastSeenAt: null });
    spoofer.close();
  });
});

describe("A's agent and B's job", () => {
  it("cannot end, advance or log into B's running job: its frames are counted in A's hub, and B's own result stands", async () => {
    const { a, b } = await seedPair();
    const bAgent = await connectAgent(b);
    const ran = await exports.default.fetch(
      url(`/api/t/${labB.tenantId}/agents/${b.agentId}/jobs`),
      asUser(labB.members.operator, { method: "POST", body: JSON.stringify({ kind: "docker.restart", params: { id: "plex" } }) }),
    );
    expect(ran.status).toBe(202);
    const job = api.Job.parse(await ran.json());
    expect((await bAgent.next("job")).id).toBe(job.id);
    const follower = await mustConnect(`/api/t/${labB.tenantId}/jobs/${job.id}/stream`, { cookie: labB.members.viewer.cookie });

    // A's agent, knowing B's job id, claims to be B's agent on that job and answers for it.
    const spoofer = await connectSpoofing(a, b, job.id);
    spoofer.send({ type: "job_progress", id: job.id, step: "restart", status: "running", message: "hijacked", at: Date.now() });
    spoofer.send({ type: "job_log", id: job.id, stream: "stdout", data: "hijacked\n" });
    spoofer.send({ type: "job_result", id: job.id, ok: true, result: { hijacked: true }, durationMs: 1 });
    // Frames on one socket are handled in order: the ack means the three above were handled.
    await spoofer.sendMetrics([{ at: Date.now(), values: { "cpu.total": 1 } }]);

    expect(await hubOf(a.agentId).status()).toMatchObject({ ignoredJobResults: 1, jobsInFlight: 0 });
    expect(await hubOf(b.agentId).status()).toMatchObject({ connected: true, ignoredJobResults: 0, jobsInFlight: 1 });
    const read = async () => {
      const res = await exports.default.fetch(url(`/api/t/${labB.tenantId}/jobs/${job.id}`), asUser(labB.members.viewer));
      expect(res.status).toBe(200);
      return api.Job.parse(await res.json());
    };
    expect(await read()).toMatchObject({ status: "running", result: null });
    // Nothing of B's reaches A's socket: the only job it was sent is none.
    expect(spoofer.pending("job")).toEqual([]);

    // B's agent still holds its socket (A's connect did not replace it) and finishes the job; the follower's first
    // frame is B's, so none of A's frames were relayed to it.
    const progress = { type: "job_progress", id: job.id, step: "restart", status: "running", message: "restarting plex", at: Date.now() };
    bAgent.send(progress);
    expect(await follower.nextJson()).toEqual(progress);
    bAgent.send({ type: "job_result", id: job.id, ok: true, result: { restarted: true }, durationMs: 900 });
    expect(await hubOf(b.agentId).waitForJob(job.id, 30_000)).toMatchObject({ status: "succeeded" });
    expect(await read()).toMatchObject({ status: "succeeded", result: { restarted: true } });
    spoofer.close();
    bAgent.close();
    follower.close();
  });
});
