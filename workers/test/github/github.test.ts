// GitHub feeds end to end: deliveries signed by the fake GitHub sender reach /webhooks/github/:hookId, are verified
// before parsing, de-duplicated, filtered, and become embeds the fake Discord receives through the tenant's Outbox.
// Also: signature failures, ping, unknown events, body limits, sealed secrets, the feed API and its roles.
import { api, auditLog, githubFeeds, secrets } from "@nebula/schema";
import { and, eq, like } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  fakeDeliveryId,
  issuesPayload,
  pingPayload,
  pullRequestPayload,
  pushPayload,
  releasePayload,
  signedDelivery,
  workflowRunPayload,
} from "../../../test/fakes/github-sender.ts";
import { seedAgent } from "../support/agents.ts";
import { type SeededTenant, seedTenant, withDb } from "../support/seed.ts";
import {
  call,
  createFeed,
  deliveriesOf,
  discordMessages,
  discordTitles,
  discordWebhookUrl,
  freshDiscordKey,
  guildChannel,
  holdOutbox,
  postDelivery,
  send,
  snowflake,
} from "./github-support.ts";

const repo = { fullName: "nebula/site" };

async function channelFeed(lab: SeededTenant, extra: Record<string, unknown> = {}) {
  const destination = await guildChannel(lab);
  const feed = await createFeed(lab, { name: "Site", destination, ...extra });
  return { feed, secret: feed.secret, key: `channel:${destination.channelId}` };
}

let lab: SeededTenant;
let other: SeededTenant;
beforeAll(async () => {
  [lab, other] = await withDb(async (db) => [await seedTenant(db, "GitHub Lab"), await seedTenant(db, "Other GitHub Lab")]);
});

describe("POST /webhooks/github/:hookId", () => {
  it("turns a signed push into an embed with its commits in the feed's channel", async () => {
    const { feed, secret, key } = await channelFeed(lab);
    const deliver = await holdOutbox(lab.tenantId);
    const payload = pushPayload({
      repo,
      branch: "main",
      pusher: "ada",
      commits: [
        { id: "1".repeat(40), message: "Fix the login page\n\nIt broke on Safari.", author: "ada" },
        { id: "2".repeat(40), message: "@everyone look at this", author: "bob" },
      ],
    });
    const { res } = await send(feed, secret, "push", payload);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "queued" });

    await deliver();
    const [message, ...rest] = await discordMessages(key);
    expect(rest).toEqual([]);
    expect(message?.allowedMentions).toEqual({ parse: [] });
    const embed = message?.embeds[0];
    expect(embed).toMatchObject({ title: "[nebula/site:main] 2 new commits", url: payload.compare });
    expect(embed?.description?.split("\n")).toEqual([
      `[\`1111111\`](https://github.com/nebula/site/commit/${"1".repeat(40)}) Fix the login page — ada`,
      `[\`2222222\`](https://github.com/nebula/site/commit/${"2".repeat(40)}) @everyone look at this — bob`,
    ]);
    expect(embed?.fields).toContainEqual(expect.objectContaining({ name: "Pushed by", value: "ada" }));

    await vi.waitFor(async () => expect((await deliveriesOf(lab, feed.id)).map((d) => [d.event, d.status, d.repository])).toEqual([["push", "queued", "nebula/site"]]));
  });

  it("reports pull requests, workflow runs, releases and issues", async () => {
    const { feed, secret, key } = await channelFeed(lab);
    const deliver = await holdOutbox(lab.tenantId);
    const sent = [
      await send(feed, secret, "pull_request", pullRequestPayload({ repo, action: "opened", number: 7, title: "Dark mode", author: "ada" })),
      await send(feed, secret, "pull_request", pullRequestPayload({ repo, action: "closed", merged: true, number: 7, title: "Dark mode" })),
      await send(feed, secret, "workflow_run", workflowRunPayload({ repo, conclusion: "failure", name: "CI", branch: "main" })),
      await send(feed, secret, "release", releasePayload({ repo, tag: "v1.4.0", name: "Spring" })),
      await send(feed, secret, "issues", issuesPayload({ repo, action: "opened", number: 12, title: "Crash on start" })),
    ];
    // A second channel: the fake Discord's bucket holds five messages per second per channel.
    const issues = await channelFeed(lab);
    sent.push(await send(issues.feed, issues.secret, "issues", issuesPayload({ repo, action: "closed", number: 12, title: "Crash on start" })));
    expect(sent.map((s) => s.res.status)).toEqual([202, 202, 202, 202, 202, 202]);
    await deliver();
    expect(await discordTitles(issues.key)).toEqual(["[nebula/site] Issue closed: #12 Crash on start"]);
    expect(await discordTitles(key)).toEqual([
      "[nebula/site] Pull request opened: #7 Dark mode",
      "[nebula/site] Pull request merged: #7 Dark mode",
      "[nebula/site] CI: failure",
      "[nebula/site] Release published: v1.4.0 — Spring",
      "[nebula/site] Issue opened: #12 Crash on start",
    ]);
    const messages = await discordMessages(key);
    expect(messages[2]?.embeds[0]).toMatchObject({ color: 0xe74c3c, fields: expect.arrayContaining([expect.objectContaining({ name: "Branch", value: "`main`" })]) });
    expect(messages[1]?.embeds[0]?.fields).toContainEqual(expect.objectContaining({ name: "State", value: "merged" }));
  });

  it("refuses a tampered body, a wrong secret and a missing signature with 401, and posts nothing", async () => {
    const { feed, secret, key } = await channelFeed(lab);
    const deliver = await holdOutbox(lab.tenantId);
    const good = await signedDelivery("push", pushPayload({ repo }), { secret });

    const tampered = await postDelivery(feed, good, { body: good.body.replace("Update README", "Update READMF") });
    const wrong = await postDelivery(feed, await signedDelivery("push", pushPayload({ repo }), { secret: "not-the-secret" }));
    const missing = await postDelivery(feed, good, { headers: { "x-hub-signature-256": undefined } });
    const sha1Only = await postDelivery(feed, good, { headers: { "x-hub-signature-256": undefined, "x-hub-signature": "sha1=0000000000000000000000000000000000000000" } });
    for (const res of [tampered, wrong, missing, sha1Only]) {
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: "UNAUTHORIZED", requestId: expect.any(String) } });
    }
    // Not JSON at all, but signed with the wrong key: still 401, never a parse error.
    const garbage = await postDelivery(feed, good, { body: "{not json" });
    expect(garbage.status).toBe(401);

    await deliver();
    expect(await discordMessages(key)).toEqual([]);
    expect(await deliveriesOf(lab, feed.id)).toEqual([]);
  });

  it("answers 404 for an unknown hook id", async () => {
    const delivery = await signedDelivery("push", pushPayload({ repo }), { secret: "whatever" });
    const res = await postDelivery({ hookUrl: "http://localhost/webhooks/github/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" } as api.GithubFeedView, delivery);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });

  it("posts a redelivered delivery once", async () => {
    const { feed, secret, key } = await channelFeed(lab);
    const deliver = await holdOutbox(lab.tenantId);
    const deliveryId = fakeDeliveryId();
    const payload = pushPayload({ repo, commits: [{ message: "Once" }] });
    const first = await send(feed, secret, "push", payload, { deliveryId });
    const again = await send(feed, secret, "push", payload, { deliveryId });
    expect(first.res.status).toBe(202);
    expect(again.res.status).toBe(202);
    expect(await again.res.json()).toEqual({ status: "duplicate" });
    await deliver();
    expect(await discordTitles(key)).toEqual(["[nebula/site:main] 1 new commit"]);
  });

  it("drops what the filters leave out (repository, branch, event, action) and says why", async () => {
    const filters = {
      repositories: ["nebula/*"],
      branches: ["main", "release/*"],
      events: { push: true, pull_request: ["merged"], workflow_run: [], release: ["published"], issues: [] },
    };
    const { feed, secret, key } = await channelFeed(lab, { filters });
    const deliver = await holdOutbox(lab.tenantId);
    const dropped = [
      await send(feed, secret, "push", pushPayload({ repo: { fullName: "someone/else" }, branch: "main" })),
      await send(feed, secret, "push", pushPayload({ repo, branch: "dev" })),
      await send(feed, secret, "push", pushPayload({ repo, branch: "release/1.0/extra" })),
      await send(feed, secret, "pull_request", pullRequestPayload({ repo, action: "opened" })),
      await send(feed, secret, "workflow_run", workflowRunPayload({ repo, conclusion: "success" })),
      await send(feed, secret, "issues", issuesPayload({ repo })),
    ];
    for (const { res } of dropped) expect(await res.json()).toMatchObject({ status: "filtered" });
    const kept = await send(feed, secret, "push", pushPayload({ repo: { fullName: "Nebula/Site" }, branch: "release/1.0", commits: [{ message: "Ship it" }] }));
    expect(await kept.res.json()).toEqual({ status: "queued" });

    await deliver();
    expect(await discordTitles(key)).toEqual(["[Nebula/Site:release/1.0] 1 new commit"]);
    await vi.waitFor(async () => {
      const log = await deliveriesOf(lab, feed.id);
      expect(log.map((d) => d.status).sort()).toEqual(["filtered", "filtered", "filtered", "filtered", "filtered", "filtered", "queued"]);
      expect(log.find((d) => d.repository === "someone/else")?.detail).toMatch(/allowlist/);
    });
  });

  it("answers ping with 200 and acknowledges unknown events as ignored, recording both", async () => {
    const { feed, secret, key } = await channelFeed(lab);
    const deliver = await holdOutbox(lab.tenantId);
    const ping = await send(feed, secret, "ping", pingPayload(4242, repo));
    expect(ping.res.status).toBe(200);
    expect(await ping.res.json()).toEqual({ status: "ping", detail: "Keep it logically awesome." });
    const star = await send(feed, secret, "star", { action: "created", starred_at: new Date().toISOString(), repository: { full_name: repo.fullName } });
    expect(star.res.status).toBe(202);
    expect(await star.res.json()).toMatchObject({ status: "ignored" });
    await deliver();
    expect(await discordMessages(key)).toEqual([]);
    await vi.waitFor(async () => expect((await deliveriesOf(lab, feed.id)).map((d) => [d.event, d.status]).sort()).toEqual([["ping", "ping"], ["star", "ignored"]]));
    const feeds = api.GithubFeedList.parse(await (await call(lab.members.viewer, `/api/t/${lab.tenantId}/github/feeds`)).json()).items;
    expect(feeds.find((f) => f.id === feed.id)?.lastDelivery).toMatchObject({ event: expect.stringMatching(/^(ping|star)$/) });
  });

  it("accepts a push larger than the global 64 KB limit, and refuses one over 1 MB with a 413 JSON error", async () => {
    const { feed, secret, key } = await channelFeed(lab);
    const deliver = await holdOutbox(lab.tenantId);
    const big = pushPayload({ repo, commits: Array.from({ length: 20 }, (_, i) => ({ message: `Commit ${i}\n\n${"long body ".repeat(1000)}` })) });
    const ok = await send(feed, secret, "push", big);
    expect(JSON.stringify(big).length).toBeGreaterThan(64 * 1024);
    expect(ok.res.status).toBe(202);

    const huge = pushPayload({ repo, commits: [{ message: "x".repeat(1024 * 1024) }] });
    const { res } = await send(feed, secret, "push", huge);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
    await deliver();
    expect(await discordTitles(key)).toEqual(["[nebula/site:main] 20 new commits"]);
  });

  it("delivers to a Discord webhook URL, which is stored sealed and shown masked", async () => {
    const webhookId = snowflake();
    const token = "tok-abcdefghijklmnopqrstuvwxyz012345";
    await freshDiscordKey(`webhook:${webhookId}`);
    const feed = await createFeed(lab, { name: "Webhook feed", destination: { kind: "webhook", url: discordWebhookUrl(webhookId, token) } });
    expect(feed.destination).toEqual({ kind: "webhook", masked: expect.stringMatching(new RegExp(`/webhooks/${webhookId}/\\*\\*\\*\\*$`)) });
    expect(JSON.stringify(feed)).not.toContain(token);
    const sealed = await withDb((db) => db.select().from(secrets).where(and(eq(secrets.tenantId, lab.tenantId), like(secrets.name, `github.%:${feed.id}`))));
    expect(sealed.map((s) => s.name).sort()).toEqual([`github.secret:${feed.id}`, `github.webhook:${feed.id}`]);
    for (const row of sealed) {
      expect(row.ciphertext).not.toContain(token);
      expect(row.ciphertext).not.toContain(feed.secret);
    }

    const deliver = await holdOutbox(lab.tenantId);
    const { res } = await send(feed, feed.secret, "release", releasePayload({ repo, tag: "v9" }));
    expect(res.status).toBe(202);
    await deliver();
    expect(await discordTitles(`webhook:${webhookId}`)).toEqual(["[nebula/site] Release published: v9 — Release v9"]);
  });
});

describe("/api/t/:tenantId/github/feeds", () => {
  it("shows the secret only on create and rotate; after a rotation only the new secret verifies", async () => {
    const { feed, secret, key } = await channelFeed(lab);
    expect(secret).toMatch(/^ghs_/);
    expect(feed.hookUrl).toMatch(/^http:\/\/localhost\/webhooks\/github\/[A-Za-z0-9_-]{32}$/);
    const listed = await (await call(lab.members.viewer, `/api/t/${lab.tenantId}/github/feeds`)).text();
    expect(listed).toContain(feed.id);
    expect(listed).not.toContain(secret);
    const row = await withDb(async (db) => (await db.select().from(githubFeeds).where(eq(githubFeeds.id, feed.id)))[0]);
    expect(JSON.stringify(row)).not.toContain(secret);

    // Warm the hook's cache with the old secret, then rotate.
    expect((await send(feed, secret, "ping", pingPayload())).res.status).toBe(200);
    const rotated = await call(lab.members.admin, `/api/t/${lab.tenantId}/github/feeds/${feed.id}/rotate-secret`, { method: "POST" });
    expect(rotated.status).toBe(200);
    const { secret: fresh } = api.GithubFeedWithSecret.parse(await rotated.json());
    expect(fresh).not.toBe(secret);
    expect((await send(feed, secret, "ping", pingPayload())).res.status).toBe(401);
    expect((await send(feed, fresh, "ping", pingPayload())).res.status).toBe(200);

    const deliver = await holdOutbox(lab.tenantId);
    const test = await call(lab.members.admin, `/api/t/${lab.tenantId}/github/feeds/${feed.id}/test`, { method: "POST" });
    expect(test.status).toBe(202);
    await deliver();
    expect(await discordTitles(key)).toEqual(['Test message from the GitHub feed "Site"']);
  });

  it("updates filters and enabled, which the hook obeys at once; delete makes the hook unknown", async () => {
    const { feed, secret, key } = await channelFeed(lab);
    const deliver = await holdOutbox(lab.tenantId);
    expect((await send(feed, secret, "ping", pingPayload())).res.status).toBe(200);

    const patched = await call(lab.members.admin, `/api/t/${lab.tenantId}/github/feeds/${feed.id}`, {
      method: "PATCH",
      body: JSON.stringify({ enabled: false, name: "Site (paused)" }),
    });
    expect(patched.status).toBe(200);
    expect(api.GithubFeedView.parse(await patched.json())).toMatchObject({ enabled: false, name: "Site (paused)" });
    expect(await (await send(feed, secret, "push", pushPayload({ repo }))).res.json()).toEqual({ status: "disabled" });

    const removed = await call(lab.members.admin, `/api/t/${lab.tenantId}/github/feeds/${feed.id}`, { method: "DELETE" });
    expect(removed.status).toBe(204);
    expect((await send(feed, secret, "push", pushPayload({ repo }))).res.status).toBe(404);
    await deliver();
    expect(await discordMessages(key)).toEqual([]);
    const audits = await withDb((db) => db.select().from(auditLog).where(and(eq(auditLog.tenantId, lab.tenantId), eq(auditLog.targetId, feed.id))));
    expect(audits.map((a) => a.action).sort()).toEqual(["github_feed.create", "github_feed.delete", "github_feed.update"]);
    const left = await withDb((db) => db.select().from(secrets).where(and(eq(secrets.tenantId, lab.tenantId), like(secrets.name, `github.%:${feed.id}`))));
    expect(left).toEqual([]);
  });

  it("a channel destination must be a channel of a server of this tenant that the caller manages; nothing is saved otherwise", async () => {
    const path = `/api/t/${lab.tenantId}/github/feeds`;
    const own = await guildChannel(lab);
    const victim = await guildChannel(other);
    const count = async () => (await withDb((db) => db.select().from(githubFeeds).where(eq(githubFeeds.tenantId, lab.tenantId)))).length;
    const before = await count();
    const post = (destination: unknown) => call(lab.members.admin, path, { method: "POST", body: JSON.stringify({ name: "Intruder", destination }) });

    // The other tenant's channel under this tenant's guild: 400 naming the field.
    const foreignChannel = await post({ kind: "channel", channelId: victim.channelId, guildId: own.guildId });
    expect(foreignChannel.status).toBe(400);
    expect(await foreignChannel.json()).toMatchObject({ error: { code: "BAD_REQUEST", message: "That channel is not in this server", details: { field: "destination.channelId" } } });
    // The other tenant's guild itself: the same 404 as a guild that does not exist.
    expect((await post(victim)).status).toBe(404);
    // A channel without its server is a 400 from the schema.
    expect((await post({ kind: "channel", channelId: own.channelId })).status).toBe(400);
    // The operator has no Manage Server in Discord (no linked account): 403 before anything is looked at.
    expect((await call(lab.members.operator, path, { method: "POST", body: JSON.stringify({ name: "x", destination: own }) })).status).toBe(403);
    expect(await count()).toBe(before);

    // Moving an existing feed there is refused the same way, and it keeps its channel.
    const { feed } = await channelFeed(lab);
    const moved = await call(lab.members.admin, `${path}/${feed.id}`, { method: "PATCH", body: JSON.stringify({ destination: { kind: "channel", channelId: victim.channelId, guildId: own.guildId } }) });
    expect(moved.status).toBe(400);
    const [row] = await withDb((db) => db.select().from(githubFeeds).where(eq(githubFeeds.id, feed.id)));
    expect(row?.destination).toEqual(feed.destination);
    expect(await discordMessages(`channel:${victim.channelId}`)).toEqual([]);
  });

  it("lets viewers read, admins configure, and only owners set deploy rules", async () => {
    const agent = await withDb((db) => seedAgent(db, lab.tenantId));
    const base = { name: "Roles", destination: await guildChannel(lab) };
    const deployRules = [{ repository: "nebula/site", branch: "main", agentId: agent.agentId, repo: "site" }];
    const path = `/api/t/${lab.tenantId}/github/feeds`;

    expect((await call(lab.members.operator, path, { method: "POST", body: JSON.stringify(base) })).status).toBe(403);
    const denied = await call(lab.members.admin, path, { method: "POST", body: JSON.stringify({ ...base, deployRules }) });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ error: { code: "FORBIDDEN", details: { action: "github.deploy" } } });

    const feed = await createFeed(lab, { ...base, deployRules }, lab.members.owner);
    expect(feed.deployRules).toEqual(deployRules);
    // An admin may rename the feed, keeping the owner's rules, but not change them.
    const rename = await call(lab.members.admin, `${path}/${feed.id}`, { method: "PATCH", body: JSON.stringify({ name: "Renamed", deployRules }) });
    expect(rename.status).toBe(200);
    const change = await call(lab.members.admin, `${path}/${feed.id}`, { method: "PATCH", body: JSON.stringify({ deployRules: [] }) });
    expect(change.status).toBe(403);

    const viewerRead = await call(lab.members.viewer, `${path}/${feed.id}`);
    expect(viewerRead.status).toBe(200);
    expect(api.GithubFeedView.parse(await viewerRead.json()).name).toBe("Renamed");
    expect((await call(lab.members.viewer, `${path}/${feed.id}/test`, { method: "POST" })).status).toBe(403);
    expect((await call(lab.members.operator, `${path}/${feed.id}/rotate-secret`, { method: "POST" })).status).toBe(403);

    // Another tenant's agent cannot be a deploy target; another tenant cannot see the feed.
    const foreign = await withDb((db) => seedAgent(db, other.tenantId));
    const foreignRule = await call(lab.members.owner, path, { method: "POST", body: JSON.stringify({ ...base, deployRules: [{ ...deployRules[0], agentId: foreign.agentId }] }) });
    expect(foreignRule.status).toBe(404);
    expect((await call(other.members.owner, `/api/t/${other.tenantId}/github/feeds/${feed.id}`)).status).toBe(404);
  });

  it("refuses bad input with 400 and the issues", async () => {
    const path = `/api/t/${lab.tenantId}/github/feeds`;
    const bad = await call(lab.members.admin, path, {
      method: "POST",
      body: JSON.stringify({ name: "Bad", destination: { kind: "webhook", url: "https://evil.example/webhooks/1/2" }, filters: { repositories: ["not a repo"] } }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "BAD_REQUEST", details: { issues: expect.any(Array) } } });
    const notDiscord = await call(lab.members.admin, path, { method: "POST", body: JSON.stringify({ name: "Bad", destination: { kind: "webhook", url: "https://evil.example/webhooks/12345678/abcdefghijklmnopqrstuvwxyz" } }) });
    expect(notDiscord.status).toBe(400);
  });
});
