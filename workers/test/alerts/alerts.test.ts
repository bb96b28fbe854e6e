// Alerts end to end: a rule made through the API reaches the agent's hub, the hub evaluates the agent's samples
// (time moved by the hub's test clock), and notifications reach the fake Discord through the tenant's Outbox
// (its alarm driven by the test). Also: hysteresis, "agent offline" silencing the host's other alerts, webhook URLs
// sealed at rest and masked in responses, RBAC, the preview over stored history, and an idle hub leaving Postgres asleep.
// Channel destinations are channels of the lab's server in the fake Discord's guild model: a channel is accepted only
// with its server, when that server is the tenant's, the caller manages it, and the channel is one of its channels.
import { runInDurableObject } from "cloudflare:test";
import { env as bindings, exports } from "cloudflare:workers";
import { alertEvents, alertRules, api, guilds, newId, secrets, users } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { AgentHub } from "../../src/agents/agent-hub.ts";
import type { Env } from "../../src/env.ts";
import { type Outbox, getOutboxByName } from "../../src/outbox/outbox.ts";
import { advanceHubClock, connectAgent, hubNow, hubOf, hubPostgresTraffic, type TestAgent } from "../agents/test-agent.ts";
import { seedGuild, setBotPresent, snowflake as discordSnowflake } from "../discord/fake-discord.ts";
import { seedAgent } from "../support/agents.ts";
import { discordTitles, freshDiscordKey, guildChannel, guildOf, holdOutbox } from "../support/lab-discord.ts";
import { type SeededMember, type SeededTenant, asUser, seedTenant, url, withDb } from "../support/seed.ts";

const env = bindings as Env;
const SECOND = 1000;

let serial = 0;
/** A fresh snowflake per test, so suites sharing the fake Discord never see each other's channels. */
const snowflake = () => `${Date.now()}${String(++serial).padStart(4, "0")}`;

const CPU_HOT = { metric: "cpu.total", comparison: ">", threshold: 90, forSeconds: 60, clearThreshold: 70, severity: "warning" } as const;

async function call(member: SeededMember, path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(url(path), asUser(member, init));
}

async function createRule(lab: SeededTenant, body: Record<string, unknown>, member: SeededMember = lab.members.admin): Promise<api.AlertRuleView> {
  const res = await call(member, `/api/t/${lab.tenantId}/alert-rules`, { method: "POST", body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(201);
  return api.AlertRuleView.parse(await res.json());
}

/** A host that reports one sample every 10 s of hub time. */
class ReportingHost {
  constructor(
    readonly agent: TestAgent,
    readonly agentId: string,
  ) {}

  report(cpu: number, times = 1): Promise<void> {
    return this.reportValues({ "cpu.total": cpu }, times);
  }

  async reportValues(values: Record<string, number>, times = 1): Promise<void> {
    for (let i = 0; i < times; i++) {
      await advanceHubClock(this.agentId, 10 * SECOND);
      await this.agent.sendMetrics([{ at: await hubNow(this.agentId), values }]);
    }
  }

  /** Runs the hub's alarm now: it evaluates, and waits for any delivery still under way. */
  settle(): Promise<void> {
    return advanceHubClock(this.agentId, 0);
  }
}

async function newLab(name: string): Promise<{ lab: SeededTenant; agentId: string; connect: () => Promise<ReportingHost> }> {
  const lab = await withDb((db) => seedTenant(db, name));
  const seeded = await withDb((db) => seedAgent(db, lab.tenantId));
  return { lab, agentId: seeded.agentId, connect: async () => new ReportingHost(await connectAgent(seeded), seeded.agentId) };
}

async function eventsOf(lab: SeededTenant): Promise<api.AlertEvent[]> {
  const res = await call(lab.members.viewer, `/api/t/${lab.tenantId}/alert-events?limit=50`);
  expect(res.status).toBe(200);
  return api.AlertEventPage.parse(await res.json()).items;
}

describe("alert rules in the hub", () => {
  it("fires once after the condition held 60 s, holds between the thresholds, and resolves below the clear threshold", async () => {
    const { lab, connect } = await newLab("Alert Lab");
    const destination = await guildChannel(lab);
    const key = `channel:${destination.channelId}`;
    const deliver = await holdOutbox(lab.tenantId);
    const host = await connect();
    const rule = await createRule(lab, { name: "CPU hot", rule: CPU_HOT, destination });

    await host.report(20, 2);
    await host.report(95, 6);
    await host.settle();
    await deliver();
    expect(await discordTitles(key), "50 s over the threshold is not yet 60").toEqual([]);

    await host.report(95, 2);
    await host.settle();
    await deliver();
    await host.report(95, 3);
    await host.settle();
    await deliver();
    expect(await discordTitles(key)).toEqual(["Firing: CPU hot"]);

    // Hysteresis: below 90 but above 70 the alert keeps firing.
    await host.report(80, 4);
    await host.settle();
    await deliver();
    expect(await discordTitles(key)).toEqual(["Firing: CPU hot"]);

    await host.report(50);
    await host.settle();
    await deliver();
    expect(await discordTitles(key)).toEqual(["Firing: CPU hot", "Resolved: CPU hot"]);

    const events = await eventsOf(lab);
    expect(events.map((e) => [e.ruleId, e.ruleName, e.subject, e.transition, e.notified])).toEqual([
      [rule.id, "CPU hot", "cpu.total", "resolved", true],
      [rule.id, "CPU hot", "cpu.total", "firing", true],
    ]);
    expect(events[0]?.value).toBe(50);
    host.agent.close();
  });

  it("fires 'agent offline' when the host goes silent, and holds the host's other alerts back while it fires", async () => {
    const { lab, connect } = await newLab("Offline Lab");
    const destination = await guildChannel(lab);
    const key = `channel:${destination.channelId}`;
    const deliver = await holdOutbox(lab.tenantId);
    const templates = api.AlertTemplateList.parse(await (await call(lab.members.viewer, `/api/t/${lab.tenantId}/alert-rules/templates`)).json()).items;
    expect(templates.map((t) => t.template)).toEqual(["agent-offline", "container-down", "container-restart-loop", "vm-down", "mount-stale", "probe-failing"]);
    const offline = templates.find((t) => t.template === "agent-offline");
    await createRule(lab, { name: "Agent offline", rule: offline?.rule, destination });
    const cpu = await createRule(lab, { name: "CPU hot", rule: CPU_HOT, destination });
    const host = await connect();

    await host.report(20, 3);
    const lastReport = await hubNow(host.agentId);
    // Silent: three missed intervals make the host's data unknown, then "agent offline" holds for its 60 s.
    await advanceHubClock(host.agentId, 31 * SECOND);
    await advanceHubClock(host.agentId, 60 * SECOND);
    await host.settle();
    await deliver();
    expect(await discordTitles(key)).toEqual(["Firing: Agent offline"]);

    // The agent's spool replays the silent stretch: CPU was hot long enough to fire, but the host is offline,
    // so nothing about CPU is sent yet.
    await host.agent.sendMetrics(Array.from({ length: 9 }, (_, i) => ({ at: lastReport + 5 * SECOND + i * 10 * SECOND, values: { "cpu.total": 95 } })));
    await host.settle();
    await deliver();
    expect(await discordTitles(key)).toEqual(["Firing: Agent offline"]);
    const held = (await eventsOf(lab)).find((e) => e.ruleId === cpu.id && e.transition === "firing");
    expect(held?.notified).toBe(false);

    // Live again: "agent offline" resolves, and the CPU alert, still firing, is announced once.
    await host.report(95);
    await host.settle();
    await deliver();
    expect(await discordTitles(key)).toEqual(["Firing: Agent offline", "Resolved: Agent offline", "Firing: CPU hot"]);
    host.agent.close();
  });

  it("seals a webhook URL at rest, shows it masked, and delivers to it", async () => {
    const { lab, agentId, connect } = await newLab("Webhook Lab");
    const webhookId = snowflake();
    const token = `Tok3n_${crypto.randomUUID().replaceAll("-", "")}`;
    const webhookUrl = `${env.DISCORD_API_BASE}/webhooks/${webhookId}/${token}`;
    await freshDiscordKey(`webhook:${webhookId}`);
    const deliver = await holdOutbox(lab.tenantId);
    const rule = await createRule(lab, {
      name: "CPU spike",
      rule: { ...CPU_HOT, forSeconds: 0 },
      agentId,
      destination: { kind: "webhook", url: webhookUrl },
    });
    expect(rule.destination).toEqual({ kind: "webhook", masked: `${env.DISCORD_API_BASE}/webhooks/${webhookId}/****` });

    const listed = await (await call(lab.members.viewer, `/api/t/${lab.tenantId}/alert-rules`)).text();
    expect(listed).toContain(webhookId);
    expect(listed).not.toContain(token);
    const [ruleRows, secretRows] = await withDb(async (db) => [
      await db.select().from(alertRules).where(eq(alertRules.id, rule.id)),
      await db.select().from(secrets).where(eq(secrets.tenantId, lab.tenantId)),
    ]);
    expect(JSON.stringify(ruleRows)).not.toContain(token);
    expect(secretRows.map((s) => s.name)).toEqual([`alerts.webhook:${rule.id}`]);
    expect(JSON.stringify(secretRows)).not.toContain(token);

    const host = await connect();
    await host.report(99);
    await host.settle();
    await deliver();
    expect(await discordTitles(`webhook:${webhookId}`)).toEqual(["Firing: CPU spike"]);
    // The hub unsealed the URL only to hand it to the outbox: nothing in its storage holds the token.
    const stored = await runInDurableObject(hubOf(agentId), (_hub: AgentHub, state) => JSON.stringify([...state.storage.kv.list()]));
    expect(stored).not.toContain(token);
    // The outbox needed it to send; a delivered message keeps no copy.
    const outboxRows = await runInDurableObject(getOutboxByName(env.OUTBOX, lab.tenantId), (_o: Outbox, state) =>
      JSON.stringify(state.storage.sql.exec("SELECT * FROM messages").toArray()),
    );
    expect(outboxRows).toContain("delivered");
    expect(outboxRows).not.toContain(token);

    // Back to a channel: the sealed URL is deleted.
    const patched = await call(lab.members.admin, `/api/t/${lab.tenantId}/alert-rules/${rule.id}`, {
      method: "PATCH",
      body: JSON.stringify({ destination: await guildChannel(lab) }),
    });
    expect(patched.status).toBe(200);
    expect(await withDb((db) => db.select().from(secrets).where(eq(secrets.tenantId, lab.tenantId)))).toEqual([]);
    host.agent.close();
  });

  it("refuses a webhook that is not Discord's, and lets admins change and delete rules with an audit trail", async () => {
    const { lab } = await newLab("Rules Lab");
    const bad = await call(lab.members.admin, `/api/t/${lab.tenantId}/alert-rules`, {
      method: "POST",
      body: JSON.stringify({ name: "x", rule: CPU_HOT, destination: { kind: "webhook", url: "https://evil.example/api/webhooks/123456789/abcdefghijklmnopqrstuvwxyz" } }),
    });
    expect(bad.status).toBe(400);
    const badClear = await call(lab.members.admin, `/api/t/${lab.tenantId}/alert-rules`, {
      method: "POST",
      body: JSON.stringify({ name: "x", rule: { ...CPU_HOT, clearThreshold: 95 }, destination: await guildChannel(lab) }),
    });
    expect(badClear.status).toBe(400);

    const rule = await createRule(lab, { name: "CPU hot", rule: CPU_HOT, destination: await guildChannel(lab) });
    const patched = await call(lab.members.admin, `/api/t/${lab.tenantId}/alert-rules/${rule.id}`, { method: "PATCH", body: JSON.stringify({ enabled: false }) });
    expect(patched.status).toBe(200);
    expect(api.AlertRuleView.parse(await patched.json()).enabled).toBe(false);
    const removed = await call(lab.members.admin, `/api/t/${lab.tenantId}/alert-rules/${rule.id}`, { method: "DELETE" });
    expect(removed.status).toBe(204);
    const again = await call(lab.members.admin, `/api/t/${lab.tenantId}/alert-rules/${rule.id}`, { method: "DELETE" });
    expect(again.status).toBe(404);

    const audit = await (await call(lab.members.admin, `/api/t/${lab.tenantId}/audit`)).json();
    const actions = (audit as { items: { action: string; targetId: string | null }[] }).items.filter((e) => e.targetId === rule.id).map((e) => e.action);
    expect(actions.sort()).toEqual(["alert_rule.create", "alert_rule.delete", "alert_rule.update"]);
  });

  it("lets a viewer read rules and history but not create rules", async () => {
    const { lab } = await newLab("Viewer Lab");
    const denied = await call(lab.members.viewer, `/api/t/${lab.tenantId}/alert-rules`, {
      method: "POST",
      body: JSON.stringify({ name: "CPU hot", rule: CPU_HOT, destination: await guildChannel(lab) }),
    });
    expect(denied.status).toBe(403);
    expect((await call(lab.members.viewer, `/api/t/${lab.tenantId}/alert-rules`)).status).toBe(200);
    expect((await call(lab.members.viewer, `/api/t/${lab.tenantId}/alert-events`)).status).toBe(200);
    expect(await withDb((db) => db.select().from(alertRules).where(eq(alertRules.tenantId, lab.tenantId)))).toEqual([]);
  });

  it("previews when a rule would have fired and resolved over the host's stored samples", async () => {
    const { lab, agentId, connect } = await newLab("Preview Lab");
    const host = await connect();
    const t0 = Math.floor((Date.now() - 30 * 60 * SECOND) / 1000) * 1000;
    // 20 minutes at 10 s: 95 from minute 5 to minute 8 (exclusive), 50 otherwise.
    const samples = Array.from({ length: 120 }, (_, i) => ({ at: t0 + i * 10 * SECOND, values: { "cpu.total": i >= 30 && i < 48 ? 95 : 50 } }));
    await host.agent.sendMetrics(samples);

    const res = await call(lab.members.viewer, `/api/t/${lab.tenantId}/alert-rules/preview`, {
      method: "POST",
      body: JSON.stringify({ rule: CPU_HOT, agentId, range: "1h" }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const preview = api.AlertPreview.parse(await res.json());
    expect(preview.notifications).toEqual([
      { transition: "firing", at: t0 + 360 * SECOND, value: 95 },
      { transition: "resolved", at: t0 + 480 * SECOND, value: 50 },
    ]);
    // The preview stored nothing and sent nothing.
    expect(await withDb((db) => db.select().from(alertEvents).where(eq(alertEvents.tenantId, lab.tenantId)))).toEqual([]);
    host.agent.close();
  });

  it("leaves Postgres asleep while a host with rules reports and nothing transitions", async () => {
    const { lab, agentId, connect } = await newLab("Quiet Lab");
    const destination = await guildChannel(lab);
    const offline = api.AlertTemplateList.parse(await (await call(lab.members.viewer, `/api/t/${lab.tenantId}/alert-rules/templates`)).json()).items[0];
    await createRule(lab, { name: "Agent offline", rule: offline?.rule, destination });
    await createRule(lab, { name: "CPU hot", rule: CPU_HOT, destination });
    const host = await connect();
    const hourMs = 3600 * SECOND;
    // Start just after an hour boundary, so no hourly rollup push falls inside the stretch.
    const start = await hubNow(agentId);
    await advanceHubClock(agentId, Math.ceil(start / hourMs) * hourMs + 10 * SECOND - start);
    const before = await hubPostgresTraffic(agentId);
    for (let i = 0; i < 30; i++) await host.report(40 + (i % 5) * 10);
    await host.settle();
    expect(await hubPostgresTraffic(agentId)).toEqual(before);
    expect(await eventsOf(lab)).toEqual([]);
    host.agent.close();
  });

  it("fires 'service failing' from the probe template after a minute of failed probes, resolves when it answers, and costs Postgres nothing meanwhile", async () => {
    const { lab, agentId, connect } = await newLab("Probe Lab");
    const destination = await guildChannel(lab);
    const key = `channel:${destination.channelId}`;
    const deliver = await holdOutbox(lab.tenantId);
    const templates = api.AlertTemplateList.parse(await (await call(lab.members.viewer, `/api/t/${lab.tenantId}/alert-rules/templates`)).json()).items;
    const probeTemplate = templates.find((t) => t.template === "probe-failing");
    expect(probeTemplate?.rule).toMatchObject({ metric: "probe.*.up", comparison: "==", threshold: 0, forSeconds: 60 });
    const rule = await createRule(lab, { name: "Service failing", rule: probeTemplate?.rule, destination });
    const host = await connect();
    // Samples as the agent's probe collector makes them (agent/src/metrics/probe-metrics.ts): a failed probe has no latency.
    const plexUp = { "cpu.total": 10, "probe.plex.up": 1, "probe.plex.latency_ms": 12, "probe.ha.up": 1, "probe.ha.latency_ms": 30 };
    const plexDown = { "cpu.total": 10, "probe.plex.up": 0, "probe.ha.up": 1, "probe.ha.latency_ms": 31 };

    const hourMs = 3600 * SECOND;
    const start = await hubNow(agentId);
    await advanceHubClock(agentId, Math.ceil(start / hourMs) * hourMs + 10 * SECOND - start);
    const before = await hubPostgresTraffic(agentId);
    await host.reportValues(plexUp, 6);
    await host.settle();
    expect(await hubPostgresTraffic(agentId), "healthy probes are ordinary samples: no Postgres").toEqual(before);

    await host.reportValues(plexDown, 6);
    await host.settle();
    await deliver();
    expect(await discordTitles(key), "50 s of failures is not yet 60").toEqual([]);
    await host.reportValues(plexDown, 1);
    await host.settle();
    await deliver();
    expect(await discordTitles(key)).toEqual(["Firing: Service failing"]);

    await host.reportValues(plexUp);
    await host.settle();
    await deliver();
    expect(await discordTitles(key)).toEqual(["Firing: Service failing", "Resolved: Service failing"]);
    const events = await eventsOf(lab);
    expect(events.map((e) => [e.ruleId, e.subject, e.transition, e.value, e.notified])).toEqual([
      [rule.id, "probe.plex.up", "resolved", 1, true],
      [rule.id, "probe.plex.up", "firing", 0, true],
    ]);
    host.agent.close();
  });

  it("stores probe samples like any metric, for the host page's probes tab", async () => {
    const { lab, agentId, connect } = await newLab("Probe Chart Lab");
    const host = await connect();
    const t0 = Date.now() - 60 * SECOND;
    await host.agent.sendMetrics([
      { at: t0, values: { "probe.plex.up": 1, "probe.plex.latency_ms": 12 } },
      { at: t0 + 10 * SECOND, values: { "probe.plex.up": 0 } },
    ]);
    const res = await call(lab.members.viewer, `/api/t/${lab.tenantId}/agents/${agentId}/metrics?names=probe.plex.up,probe.plex.latency_ms&range=1h`);
    expect(res.status, await res.clone().text()).toBe(200);
    const body = api.MetricsResponse.parse(await res.json());
    const points = Object.fromEntries(body.series.map((s) => [s.name, s.points.map((p) => [p.t, p.avg])]));
    expect(points).toEqual({
      "probe.plex.up": [
        [t0, 1],
        [t0 + 10 * SECOND, 0],
      ],
      "probe.plex.latency_ms": [[t0, 12]],
    });
    host.agent.close();
  });
});

describe("alert rule channels: one bot, many tenants", () => {
  async function postRule(lab: SeededTenant, destination: unknown, member: SeededMember = lab.members.admin): Promise<Response> {
    return call(member, `/api/t/${lab.tenantId}/alert-rules`, { method: "POST", body: JSON.stringify({ name: "CPU hot", rule: CPU_HOT, destination }) });
  }
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; details: { field?: string; reason?: string } | null } }).error;

  it("refuses a bare channel id: the server must be named", async () => {
    const { lab } = await newLab("Bare Channel Lab");
    const { channelId } = await guildChannel(lab);
    const res = await postRule(lab, { kind: "channel", channelId });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("BAD_REQUEST");
    expect(await withDb((db) => db.select().from(alertRules).where(eq(alertRules.tenantId, lab.tenantId)))).toEqual([]);
  });

  it("answers another tenant's server exactly like a server that does not exist", async () => {
    const { lab } = await newLab("Own Lab");
    const { lab: other } = await newLab("Other Lab");
    const theirs = await guildChannel(other);
    const theirsRes = await postRule(lab, theirs);
    const missingRes = await postRule(lab, { ...theirs, guildId: discordSnowflake() });
    expect([theirsRes.status, missingRes.status]).toEqual([404, 404]);
    const [a, b] = [await errorOf(theirsRes), await errorOf(missingRes)];
    expect({ code: a.code, message: a.message }).toEqual({ code: b.code, message: b.message });
    expect(await discordTitles(`channel:${theirs.channelId}`)).toEqual([]);
  });

  it("refuses another server's channel under the tenant's own server, on create and on change", async () => {
    const { lab } = await newLab("Channel Swap Lab");
    const { lab: other } = await newLab("Victim Lab");
    const mine = await guildChannel(lab);
    const theirs = await guildChannel(other);
    const res = await postRule(lab, { ...mine, channelId: theirs.channelId });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).details?.field).toBe("destination.channelId");

    const rule = await createRule(lab, { name: "CPU hot", rule: CPU_HOT, destination: mine });
    expect(rule.destination).toEqual(mine);
    expect(rule.destinationNeedsServer).toBe(false);
    const patched = await call(lab.members.admin, `/api/t/${lab.tenantId}/alert-rules/${rule.id}`, {
      method: "PATCH",
      body: JSON.stringify({ destination: { ...mine, channelId: theirs.channelId } }),
    });
    expect(patched.status).toBe(400);
    const [row] = await withDb((db) => db.select().from(alertRules).where(eq(alertRules.id, rule.id)));
    expect(row?.destination).toEqual(mine);
  });

  it("needs Manage Server in that server, not only the tenant role", async () => {
    const { lab } = await newLab("No Manage Lab");
    await guildOf(lab); // links the admin's Discord account
    const [admin] = await withDb((db) => db.select({ discordId: users.discordId }).from(users).where(eq(users.id, lab.members.admin.userId)));
    const guildId = discordSnowflake();
    const channelId = discordSnowflake();
    await seedGuild({
      id: guildId,
      name: "Member only",
      ownerId: discordSnowflake(),
      channels: [{ id: channelId, name: "alerts", type: 0 }],
      members: [{ user: { id: admin?.discordId ?? "", username: "admin" }, roles: [] }],
    });
    await withDb((db) => db.insert(guilds).values({ guildId, tenantId: lab.tenantId, name: "Member only" }));
    const res = await postRule(lab, { kind: "channel", channelId, guildId });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).details?.reason).toBe("missing_manage_guild");
  });

  it("lists each rule's channel by its name in Discord, and none once the bot has left that server", async () => {
    const { lab } = await newLab("Channel Names Lab");
    const destination = await guildChannel(lab);
    const rule = await createRule(lab, { name: "CPU hot", rule: CPU_HOT, destination });
    const list = async () => api.AlertRuleList.parse(await (await call(lab.members.viewer, `/api/t/${lab.tenantId}/alert-rules`)).json());
    const named = await list();
    expect(named.items.map((r) => r.id)).toContain(rule.id);
    expect(named.channelNames).toEqual({ [destination.channelId]: "lab" });

    // A second lab's server the bot was removed from: its channel is unknown, and the list still answers.
    const { lab: left } = await newLab("Bot Left Lab");
    const gone = await guildChannel(left);
    await createRule(left, { name: "CPU hot", rule: CPU_HOT, destination: gone });
    await setBotPresent(gone.guildId, false);
    const res = await call(left.members.viewer, `/api/t/${left.tenantId}/alert-rules`);
    expect(res.status).toBe(200);
    const unnamed = api.AlertRuleList.parse(await res.json());
    expect(unnamed.items).toHaveLength(1);
    expect(unnamed.channelNames).toEqual({});
  });

  it("keeps delivering a rule saved before servers were required, and flags it for re-saving", async () => {
    const { lab, agentId, connect } = await newLab("Legacy Lab");
    const channelId = snowflake();
    await freshDiscordKey(`channel:${channelId}`);
    const deliver = await holdOutbox(lab.tenantId);
    const id = newId("alert");
    await withDb((db) =>
      db.insert(alertRules).values({
        id,
        tenantId: lab.tenantId,
        name: "Old CPU rule",
        enabled: true,
        agentId,
        rule: api.AlertCondition.parse({ ...CPU_HOT, forSeconds: 0 }),
        destination: { kind: "channel", channelId },
        createdBy: lab.members.admin.userId,
        createdAt: new Date(),
        updatedAt: new Date(),
      }),
    );
    const listed = api.AlertRuleList.parse(await (await call(lab.members.viewer, `/api/t/${lab.tenantId}/alert-rules`)).json()).items;
    expect(listed.map((r) => [r.id, r.destinationNeedsServer])).toEqual([[id, true]]);

    // Other changes still save (a user silencing a noisy rule must not be refused); the destination stays as it was.
    const disabled = await call(lab.members.admin, `/api/t/${lab.tenantId}/alert-rules/${id}`, { method: "PATCH", body: JSON.stringify({ name: "Old CPU rule!" }) });
    expect(disabled.status).toBe(200);

    const host = await connect();
    await host.report(99);
    await host.settle();
    await deliver();
    expect(await discordTitles(`channel:${channelId}`)).toEqual(["Firing: Old CPU rule!"]);

    // Re-saved with its server: no longer flagged.
    const resaved = await call(lab.members.admin, `/api/t/${lab.tenantId}/alert-rules/${id}`, { method: "PATCH", body: JSON.stringify({ destination: await guildChannel(lab) }) });
    expect(resaved.status).toBe(200);
    expect(api.AlertRuleView.parse(await resaved.json()).destinationNeedsServer).toBe(false);
    host.agent.close();
  });
});
