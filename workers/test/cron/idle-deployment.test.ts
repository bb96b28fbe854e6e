// Neon scales to zero after 5 idle minutes, so a whole deployment at rest (an agent connected and reporting, a
// tenant with a Discord server and a Twitch connection, nobody watching) must not query Postgres between hourly runs,
// not even from its every-5-minutes cron jobs. The deployment's cron jobs and API run on a database of their own
// (every other suite's rows would give them real work) and are counted at the Postgres bridge by their
// application_name; the agent's hub is counted by its own, as in agents/idle-postgres.test.ts. A simulated hour: the
// hub's clock moves 5 minutes a step and each step runs the */5 trigger at that time, the hour's end the hourly one.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env as bindings } from "cloudflare:workers";
import { guilds, platformConnections, users } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { withApplicationName } from "../../src/agents/hub-postgres.ts";
import { createCache } from "../../src/cache/create-cache.ts";
import { loadConfig } from "../../src/config/config.ts";
import { IDLE_GATE_NAMES, idleGateKey } from "../../src/cron/idle-gates.ts";
import { type Db, openDb } from "../../src/db/client.ts";
import type { Env } from "../../src/env.ts";
import { getDiscordGatewayByName } from "../../src/discord-gateway/discord-gateway.ts";
import worker from "../../src/index.ts";
import { HOUR_MS, MINUTE_MS } from "../../src/metrics/metric-store.ts";
import { advanceHubClock, connectAgent, hubNow, hubPostgresTraffic, type TestAgent } from "../agents/test-agent.ts";
import { type FakeOAuthState, accountId } from "../connections/connection-harness.ts";
import { snowflake } from "../outbox/outbox-harness.ts";
import { seedAgent } from "../support/agents.ts";
import { type SeededTenant, asUser, seedTenant, withDb } from "../support/seed.ts";
import { bridgeTraffic, callWorker } from "../support/worker-call.ts";

const APP = "idle-deployment";
const deployment: Env = { ...(bindings as unknown as Env), DATABASE_URL: withApplicationName(inject("idleDeploymentDatabaseUrl"), APP) };
const EVERY_5_MINUTES = "*/5 * * * *";
const HOURLY = "0 * * * *";
const STEP_MS = 5 * MINUTE_MS;
const TWITCH = (deployment.TWITCH_API_BASE ?? "").replace(/\/helix$/, "");

/** A fake's control endpoint (test/fakes/): GET, or POST with a JSON body. */
async function fake<T = unknown>(origin: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${origin}${path}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json<T>();
}

async function withDeploymentDb<T>(work: (db: Db) => Promise<T>): Promise<T> {
  // Seeding goes under another name, so the counts are the deployment's own.
  const handle = openDb(loadConfig({ ...deployment, DATABASE_URL: withApplicationName(inject("idleDeploymentDatabaseUrl"), `${APP}-seed`) }));
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

async function trigger(cron: string, scheduledTime: number): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron, scheduledTime }), deployment, ctx);
  await waitOnExecutionContext(ctx);
}

const deploymentQueries = async () => (await bridgeTraffic(APP)).queries;

async function api(path: string, init: RequestInit): Promise<Response> {
  return callWorker(path, init, deployment);
}

interface Lab extends SeededTenant {
  guildId: string;
  channelId: string;
  twitchAccount: string;
  agentId: string;
  agent: TestAgent;
}

let lab: Lab;
/** The simulated clock: the hour this suite's first hourly run opens. */
let hourStart: number;
let at: number;

/** The hub's clock five minutes on (its alarm runs), and the agent's report of those minutes, a sample per 10 s. */
async function agentReportsFiveMinutes(): Promise<void> {
  await advanceHubClock(lab.agentId, STEP_MS);
  const now = await hubNow(lab.agentId);
  await lab.agent.sendMetrics(Array.from({ length: 30 }, (_, i) => ({ at: now - STEP_MS + (i + 1) * 10_000, values: { "cpu.total": 3, "mem.used_pct": 40 } })));
}

beforeAll(async () => {
  // The tenant, its Discord server (known to the fake Discord, the owner's account linked) and its members.
  const guildId = snowflake();
  const channelId = snowflake();
  const ownerDiscordId = snowflake();
  await fake(new URL(deployment.DISCORD_API_BASE ?? "").origin, "/__control/guilds", {
    id: guildId,
    name: "Idle server",
    ownerId: ownerDiscordId,
    channels: [{ id: channelId, name: "live-now", type: 0 }],
    roles: [],
    members: [{ user: { id: ownerDiscordId, username: "owner" }, roles: [] }],
  });
  const tenant = await withDeploymentDb(async (db) => {
    const seeded = await seedTenant(db, "Idle deployment");
    await db.insert(guilds).values({ guildId, tenantId: seeded.tenantId, name: "Idle server" });
    await db.update(users).set({ discordId: ownerDiscordId }).where(eq(users.id, seeded.owner.userId));
    return seeded;
  });

  // The owner connects Twitch through the consent screen: a user token that lives four hours.
  const twitchAccount = accountId("twitch");
  const started = await api(`/api/t/${tenant.tenantId}/streams/connections/twitch/connect`, asUser(tenant.owner, { method: "POST", body: "{}" }));
  expect(started.status, await started.clone().text()).toBe(200);
  const { authorizeUrl } = await started.json<{ authorizeUrl: string }>();
  const consent = await fetch(authorizeUrl, {
    method: "POST",
    body: new URLSearchParams({ decision: "allow", account_id: twitchAccount, login: `idle${twitchAccount}`, display_name: "Idle caster" }),
    headers: { "content-type": "application/x-www-form-urlencoded" },
    redirect: "manual",
  });
  const back = new URL(consent.headers.get("location") ?? "");
  const landed = await api(`${back.pathname}${back.search}`, { headers: { cookie: tenant.owner.cookie }, redirect: "manual" });
  expect(landed.status, await landed.clone().text()).toBe(302);

  // The home agent (its hub reaches the suites' shared database, counted by the hub's own name).
  const seededAgent = await withDb(async (db) => seedAgent(db, (await seedTenant(db, "Idle agent lab")).tenantId));
  const agent = await connectAgent(seededAgent);
  lab = { ...tenant, guildId, channelId, twitchAccount, agentId: seededAgent.agentId, agent };

  // Line the hub's clock up just after an hour boundary, which the hourly trigger opens.
  const now = await hubNow(lab.agentId);
  hourStart = Math.ceil(now / HOUR_MS) * HOUR_MS;
  await advanceHubClock(lab.agentId, hourStart + 30_000 - now);
  at = hourStart;
  await trigger(HOURLY, at);
  await trigger(EVERY_5_MINUTES, at);
});

describe("an idle deployment and its cron jobs", () => {
  it("asks Postgres nothing for a simulated hour but at the hour, agent and every-5-minutes jobs included", async () => {
    for (let step = 1; step < 12; step++) {
      const before = { deployment: await deploymentQueries(), hub: await hubPostgresTraffic(lab.agentId) };
      await agentReportsFiveMinutes();
      at += STEP_MS;
      await trigger(EVERY_5_MINUTES, at);
      expect({ deployment: await deploymentQueries(), hub: await hubPostgresTraffic(lab.agentId) }, `minute ${step * 5}: no Postgres`).toEqual(before);
    }

    // The hour: the hub's clock crosses it and it pushes the hour's rollups, the hourly jobs run (and seed the gates
    // again), and that is all.
    const before = { deployment: await deploymentQueries(), hub: (await hubPostgresTraffic(lab.agentId)).queries };
    await advanceHubClock(lab.agentId, STEP_MS);
    at += STEP_MS;
    expect(at).toBe(hourStart + HOUR_MS);
    await trigger(HOURLY, at);
    await trigger(EVERY_5_MINUTES, at);
    expect((await hubPostgresTraffic(lab.agentId)).queries, "the hub's hourly rollup push").toBeGreaterThan(before.hub);
    expect(await deploymentQueries(), "the hourly jobs").toBeGreaterThan(before.deployment);

    const quiet = await deploymentQueries();
    at += STEP_MS;
    await trigger(EVERY_5_MINUTES, at);
    expect(await deploymentQueries(), "quiet again after the hour").toBe(quiet);
  });

  it("polls Twitch from the run after a streamer is tracked, and is quiet again once none is", async () => {
    const userId = String(60_000_000 + Math.floor(Math.random() * 10_000_000));
    await fake(TWITCH, "/__control/twitch/users", [{ id: userId, login: `idle${userId}`, display_name: "Idle streamer" }]);
    const added = await api(
      `/api/t/${lab.tenantId}/go-live/streamers`,
      asUser(lab.owner, { method: "POST", body: JSON.stringify({ platform: "twitch", account: `idle${userId}`, guildId: lab.guildId, channelId: lab.channelId }) }),
    );
    expect(added.status, await added.clone().text()).toBe(201);
    const streamer = await added.json<{ id: string }>();
    const askedAbout = async () => (await fake<{ streamCalls: string[][] }>(TWITCH, `/__control/twitch/apps/${loadConfig(deployment).TWITCH_CLIENT_ID}`)).streamCalls.filter((ids) => ids.includes(userId)).length;

    const before = await deploymentQueries();
    at += STEP_MS;
    await trigger(EVERY_5_MINUTES, at);
    expect(await deploymentQueries(), "the poll reads its streamers").toBeGreaterThan(before);
    expect(await askedAbout(), "Helix /streams asked about the streamer").toBe(1);

    // While a streamer is tracked, every run polls.
    at += STEP_MS;
    await trigger(EVERY_5_MINUTES, at);
    expect(await askedAbout()).toBe(2);

    const removed = await api(`/api/t/${lab.tenantId}/go-live/streamers/${streamer.id}`, asUser(lab.owner, { method: "DELETE" }));
    expect(removed.status, await removed.clone().text()).toBe(204);
    const afterRemove = await deploymentQueries();
    at += STEP_MS;
    await trigger(EVERY_5_MINUTES, at);
    expect(await deploymentQueries(), "one look at the streamers, none left").toBe(afterRemove + 1);
    const settled = await deploymentQueries();
    at += STEP_MS;
    await trigger(EVERY_5_MINUTES, at);
    expect(await deploymentQueries()).toBe(settled);
    expect(await askedAbout()).toBe(2);
  });

  it("refreshes the Twitch token in the run that finds it within 15 minutes of expiring, then is quiet again", async () => {
    const row = async () => (await withDeploymentDb((db) => db.select().from(platformConnections).where(eq(platformConnections.tenantId, lab.tenantId))))[0];
    const connection = await row();
    if (!connection?.expiresAt) throw new Error("the Twitch connection has no expiry");
    const refreshes = async () => (await fake<FakeOAuthState>(TWITCH, `/__control/twitch/oauth/state?accountId=${lab.twitchAccount}`)).tokenRequests.filter((r) => r.grantType === "refresh_token").length;
    expect(await refreshes()).toBe(0);

    // 18 minutes before expiry: not due yet, nothing asked.
    const quiet = await deploymentQueries();
    at = connection.expiresAt.getTime() - 18 * MINUTE_MS;
    await trigger(EVERY_5_MINUTES, at);
    expect(await deploymentQueries()).toBe(quiet);

    // 13 minutes before, it is within the window: this run refreshes it.
    at += STEP_MS;
    await trigger(EVERY_5_MINUTES, at);
    expect(await deploymentQueries()).toBeGreaterThan(quiet);
    expect(await refreshes()).toBe(1);
    const refreshed = await row();
    expect(refreshed?.lastRefreshedAt?.getTime()).toBe(at);
    expect(refreshed?.expiresAt?.getTime()).toBeGreaterThan(at + 3 * HOUR_MS);

    const after = await deploymentQueries();
    at += STEP_MS;
    await trigger(EVERY_5_MINUTES, at);
    expect(await deploymentQueries(), "the new expiry is hours away").toBe(after);
  });

  it("asks Postgres once for a gate the cache lost, and not again", async () => {
    const cache = createCache(deployment, loadConfig(deployment));
    for (const name of IDLE_GATE_NAMES) {
      await cache.delete(idleGateKey(name));
      const before = await deploymentQueries();
      at += STEP_MS;
      await trigger(EVERY_5_MINUTES, at);
      expect(await deploymentQueries(), `${name}: one check`).toBe(before + 1);
      at += STEP_MS;
      await trigger(EVERY_5_MINUTES, at);
      expect(await deploymentQueries(), `${name}: seeded again`).toBe(before + 1);
    }
    lab.agent.close();
    await getDiscordGatewayByName(deployment.DISCORD_GATEWAY).stop();
  });
});
