// A cancelled gaming switch through the hub: the agent keeps the job open while it undoes what it began, and every
// line of that rollback ("cancelling", the VM shut down, the containers started again) reaches a follower before
// the job ends cancelled. This test answers as the agent's job runner does (agent/test/gaming-job.test.ts).
import { exports } from "cloudflare:workers";
import { api } from "@nebula/schema";
import { beforeAll, describe, expect, it } from "vitest";
import { seedAgent } from "../support/agents.ts";
import { type SeededTenant, asUser, seedTenant, url, withDb } from "../support/seed.ts";
import { mustConnect } from "../support/sockets.ts";
import { advanceHubClock, connectAgent, hubOf } from "../agents/test-agent.ts";

let lab: SeededTenant;
beforeAll(async () => {
  lab = await withDb((db) => seedTenant(db, "Gaming Lab"));
});

describe("cancelling a gaming switch", () => {
  it("relays the rollback to a follower and ends the job only with the agent's cancelled result", async () => {
    const seeded = await withDb((db) => seedAgent(db, lab.tenantId));
    const agent = await connectAgent(seeded);
    const run = await exports.default.fetch(
      url(`/api/t/${lab.tenantId}/agents/${seeded.agentId}/jobs?wait=false`),
      asUser(lab.members.operator, { method: "POST", body: JSON.stringify({ kind: "gaming.enable", timeoutMs: 10 * 60_000 }) }),
    );
    const job = api.Job.parse(await run.json());
    await agent.next("job");
    const follower = await mustConnect(`/api/t/${lab.tenantId}/jobs/${job.id}/stream`, { cookie: lab.members.viewer.cookie });

    const cancel = await exports.default.fetch(url(`/api/t/${lab.tenantId}/jobs/${job.id}/cancel`), asUser(lab.members.operator, { method: "POST" }));
    expect(api.Job.parse(await cancel.json())).toMatchObject({ status: "running" });
    expect(await agent.next("job_cancel")).toMatchObject({ id: job.id });

    const lines = [
      { step: "cancel", status: "cancelling", message: "Cancelled: by Ada: undoing what the job began before it answers (at most 300 s)" },
      { step: "vm-start", status: "running", message: "asked RDPWindows to shut down" },
      { step: "vm-start", status: "rolled_back", message: "RDPWindows shut down" },
      { step: "containers", status: "rolled_back", message: "started again: ollama, plex" },
      { step: "cancel", status: "ok", message: "stopped after 14.2 s of rollback" },
    ] as const;
    for (const line of lines) agent.send({ type: "job_progress", id: job.id, ...line, at: Date.now() });
    for (const line of lines) expect(await follower.nextJson()).toMatchObject({ type: "job_progress", ...line });
    const meanwhile = await exports.default.fetch(url(`/api/t/${lab.tenantId}/jobs/${job.id}`), asUser(lab.members.viewer));
    expect(api.Job.parse(await meanwhile.json())).toMatchObject({ status: "running" });

    agent.send({ type: "job_result", id: job.id, ok: false, error: { code: "cancelled", message: "Cancelled: by Ada" }, durationMs: 30_000 });
    expect(await follower.nextJson()).toMatchObject({ type: "job_result", error: { code: "cancelled" } });
    expect(await hubOf(seeded.agentId).waitForJob(job.id, 30_000)).toMatchObject({ status: "cancelled" });
    agent.close();
  });

  it("at its deadline the switch is told to stop and stays open for its rollback; a job that never answers still ends", async () => {
    const seeded = await withDb((db) => seedAgent(db, lab.tenantId));
    const agent = await connectAgent(seeded);
    const start = () =>
      exports.default
        .fetch(
          url(`/api/t/${lab.tenantId}/agents/${seeded.agentId}/jobs?wait=false`),
          asUser(lab.members.operator, { method: "POST", body: JSON.stringify({ kind: "gaming.enable", timeoutMs: 60_000 }) }),
        )
        .then(async (res) => api.Job.parse(await res.json()));
    const job = await start();
    await agent.next("job");
    const follower = await mustConnect(`/api/t/${lab.tenantId}/jobs/${job.id}/stream`, { cookie: lab.members.viewer.cookie });

    await advanceHubClock(seeded.agentId, 60_001);
    expect(await agent.next("job_cancel")).toMatchObject({ id: job.id, reason: "deadline passed" });
    const meanwhile = await exports.default.fetch(url(`/api/t/${lab.tenantId}/jobs/${job.id}`), asUser(lab.members.viewer));
    expect(api.Job.parse(await meanwhile.json())).toMatchObject({ status: "running" });

    const rollback = { step: "vm-start", status: "rolled_back", message: "RDPWindows shut down" } as const;
    agent.send({ type: "job_progress", id: job.id, ...rollback, at: Date.now() });
    expect(await follower.nextJson()).toMatchObject({ type: "job_progress", ...rollback });
    agent.send({ type: "job_result", id: job.id, ok: false, error: { code: "timeout", message: "No result within 60 s" }, durationMs: 75_000 });
    expect(await hubOf(seeded.agentId).waitForJob(job.id, 30_000)).toMatchObject({ status: "timeout" });

    // An agent that never answers after the deadline: the job ends once the rollback grace is over too.
    const silent = await start();
    await agent.next("job");
    await advanceHubClock(seeded.agentId, 60_001);
    expect(await agent.next("job_cancel")).toMatchObject({ id: silent.id });
    const ended = hubOf(seeded.agentId).waitForJob(silent.id, 30_000);
    await advanceHubClock(seeded.agentId, 5 * 60_000);
    expect(await ended).toMatchObject({ status: "timeout" });
    agent.close();
  });
});
