// Deploy-on-push end to end: an owner's deploy rule, a signed push from the fake GitHub sender, the deploy.run job
// arriving on a real agent socket through the agent's hub (requested by "github:<feedId>", audited), the agent's
// result, and the result message the hub posts to the feed's channel through the Outbox.
import { auditLog, jobs, memberships } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { fakeDeliveryId, pushPayload } from "../../../test/fakes/github-sender.ts";
import { connectAgent } from "../agents/test-agent.ts";
import { seedAgent } from "../support/agents.ts";
import { type SeededTenant, seedTenant, withDb } from "../support/seed.ts";
import { createFeed, deliveriesOf, discordMessages, guildChannel, holdOutbox, send } from "./github-support.ts";

const repo = { fullName: "nebula/site" };
const BEFORE = "a".repeat(40);
const AFTER = "b".repeat(40);

let lab: SeededTenant;
beforeAll(async () => {
  lab = await withDb((db) => seedTenant(db, "Deploy Lab"));
});

async function deployFeed(agentId: string, branch = "main") {
  const destination = await guildChannel(lab);
  const key = `channel:${destination.channelId}`;
  const feed = await createFeed(
    lab,
    {
      name: "Site deploys",
      destination,
      // Messages only for main; the deploy rule is independent of them.
      filters: { branches: ["main"] },
      deployRules: [{ repository: "nebula/site", branch, agentId, repo: "site" }],
    },
    lab.members.owner,
  );
  return { feed, key };
}

/** Delivers the outbox until the channel holds `count` messages (the hub enqueues the result after the job's row). */
async function messagesOnceThere(key: string, deliver: () => Promise<void>, count: number) {
  return vi.waitFor(
    async () => {
      await deliver();
      const messages = await discordMessages(key);
      expect(messages).toHaveLength(count);
      return messages;
    },
    { timeout: 15_000, interval: 50 },
  );
}

describe("deploy-on-push", () => {
  it("runs deploy.run once on the rule's agent and posts the result with before → after", async () => {
    const seeded = await withDb((db) => seedAgent(db, lab.tenantId));
    const agent = await connectAgent(seeded);
    const { feed, key } = await deployFeed(seeded.agentId);
    const deliver = await holdOutbox(lab.tenantId);

    const deliveryId = fakeDeliveryId();
    const payload = pushPayload({ repo, branch: "main", before: BEFORE, after: AFTER, commits: [{ id: AFTER, message: "Ship the new header" }] });
    const { res } = await send(feed, feed.secret, "push", payload, { deliveryId });
    expect(res.status).toBe(202);

    const job = await agent.next("job");
    expect(job).toMatchObject({ kind: "deploy.run", params: { repo: "site", ref: "main" }, requestedBy: { id: `github:${feed.id}`, name: 'GitHub feed "Site deploys"' } });
    // GitHub's Redeliver of the same delivery: acknowledged, nothing dispatched again.
    expect(await (await send(feed, feed.secret, "push", payload, { deliveryId })).res.json()).toEqual({ status: "duplicate" });

    agent.send({ type: "job_progress", id: job.id, step: "pull", status: "ok", message: "aaaaaaaaaaaa → bbbbbbbbbbbb", at: Date.now() });
    agent.send({ type: "job_result", id: job.id, ok: true, result: { repo: "site", before: BEFORE, after: AFTER, changed: true, compose: "up" }, durationMs: 4200 });

    const messages = await messagesOnceThere(key, deliver, 2);
    expect(messages[0]?.embeds[0]?.title).toBe("[nebula/site:main] 1 new commit");
    const result = messages[1]?.embeds[0];
    expect(result).toMatchObject({ title: "Succeeded: Deploy site (nebula/site@main bbbbbbb)", color: 0x2ecc71, url: payload.compare });
    expect(result?.fields).toEqual([
      { name: "Commit", value: "`aaaaaaa` → `bbbbbbb`", inline: true },
      { name: "Compose", value: "stack brought up", inline: true },
    ]);

    const rows = await withDb((db) => db.select().from(jobs).where(eq(jobs.agentId, seeded.agentId)));
    expect(rows).toMatchObject([{ id: job.id, kind: "deploy.run", status: "succeeded", requestedBy: `github:${feed.id}` }]);
    const audits = await withDb((db) => db.select().from(auditLog).where(and(eq(auditLog.tenantId, lab.tenantId), eq(auditLog.action, "job.deploy.run"))));
    expect(audits.filter((a) => a.targetId === seeded.agentId)).toMatchObject([{ actorId: `github:${feed.id}`, details: { jobId: job.id } }]);
    await vi.waitFor(async () => expect((await deliveriesOf(lab, feed.id))[0]?.detail).toMatch(new RegExp(`deploy site on ${seeded.agentId}: ${job.id}`)));
    expect(agent.pending("job")).toEqual([]);
    agent.close();
  });

  it("posts the agent's error when the deploy fails, and deploys a branch the message filters leave out", async () => {
    const seeded = await withDb((db) => seedAgent(db, lab.tenantId));
    const agent = await connectAgent(seeded);
    const { feed, key } = await deployFeed(seeded.agentId, "release/*");
    const deliver = await holdOutbox(lab.tenantId);

    const { res } = await send(feed, feed.secret, "push", pushPayload({ repo, branch: "release/2.0", after: AFTER }));
    expect(await res.json()).toMatchObject({ status: "filtered" });
    const job = await agent.next("job");
    expect(job.params).toEqual({ repo: "site", ref: "release/2.0" });
    agent.send({ type: "job_result", id: job.id, ok: false, error: { code: "failed", message: "git pull failed: not a fast-forward" }, durationMs: 900 });

    const [message] = await messagesOnceThere(key, deliver, 1);
    expect(message?.embeds[0]).toMatchObject({ title: "Failed: Deploy site (nebula/site@release/2.0 bbbbbbb)", color: 0xe74c3c, description: "git pull failed: not a fast-forward" });
    agent.close();
  });

  it("tells the channel at once when the agent is offline", async () => {
    const seeded = await withDb((db) => seedAgent(db, lab.tenantId));
    const { feed, key } = await deployFeed(seeded.agentId);
    const deliver = await holdOutbox(lab.tenantId);
    await send(feed, feed.secret, "push", pushPayload({ repo, branch: "main", after: AFTER }));
    const messages = await messagesOnceThere(key, deliver, 2);
    expect(messages[1]?.embeds[0]).toMatchObject({ title: "Failed: Deploy site (nebula/site@main bbbbbbb)", description: expect.stringMatching(/offline/) });
    const rows = await withDb((db) => db.select().from(jobs).where(eq(jobs.agentId, seeded.agentId)));
    expect(rows).toMatchObject([{ status: "failed", requestedBy: `github:${feed.id}` }]);
  });

  it("stops deploying once the owner who set the rules is no longer an owner", async () => {
    const demoted = await withDb((db) => seedTenant(db, "Demotion Lab"));
    // A tenant of its own, so demoting its owner leaves the shared lab alone.
    const agentThere = await withDb((db) => seedAgent(db, demoted.tenantId));
    const destination = await guildChannel(demoted);
    const key = `channel:${destination.channelId}`;
    const feed = await createFeed(
      demoted,
      { name: "Deploys", destination, deployRules: [{ repository: "nebula/site", branch: "main", agentId: agentThere.agentId, repo: "site" }] },
      demoted.members.owner,
    );
    await withDb((db) => db.update(memberships).set({ role: "admin" }).where(eq(memberships.id, demoted.members.owner.membershipId)));
    const deliver = await holdOutbox(demoted.tenantId);
    await send(feed, feed.secret, "push", pushPayload({ repo, branch: "main", after: AFTER }));
    const messages = await messagesOnceThere(key, deliver, 2);
    expect(messages[1]?.embeds[0]).toMatchObject({ title: expect.stringMatching(/^Failed: Deploy site/), description: expect.stringMatching(/no longer an owner/) });
    expect(await withDb((db) => db.select().from(jobs).where(eq(jobs.agentId, agentThere.agentId)))).toEqual([]);
    await vi.waitFor(async () => expect((await deliveriesOf(demoted, feed.id))[0]?.detail).toMatch(/skipped/));
  });
});
