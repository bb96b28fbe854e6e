// Welcome end to end: a member joins (the Gateway's member.joined, delivered the way the queue consumer delivers it)
// → the greeting in the channel through the outbox, the DM, the auto-role, each exactly once however often the event
// is redelivered; DMs refused by Discord (50007) and roles above the bot (403) are recorded for the dashboard; the
// leave message; the editor's preview and test send; bad input and access.
import { env as bindings } from "cloudflare:workers";
import { welcomeEvents } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { handleGatewayEvent } from "../../src/discord-gateway/gateway-events.ts";
import "../../src/discord-gateway/handlers.ts";
import type { Env } from "../../src/env.ts";
import { welcomeOutboxId } from "../../src/welcome/greet.ts";
import { addFault, guildState, snowflake } from "../discord/fake-discord.ts";
import { withDb } from "../support/seed.ts";
import { type ManagedGuild, asBot, call, json, seedManagedGuild } from "./managed-guild.ts";

const env = bindings as Env;
const WAIT = { timeout: 20_000, interval: 50 };

type GuildView = { channels: { id: string; messages: { content: string; embeds: Record<string, unknown>[]; allowed_mentions: unknown }[] }[]; members: { user: { id: string }; roles: string[] }[] };

async function channelMessages(guildId: string, channelId: string) {
  const state = (await guildState(guildId)) as unknown as GuildView;
  return state.channels.find((c) => c.id === channelId)?.messages ?? [];
}

async function waitForMessages(guildId: string, channelId: string, count: number) {
  return vi.waitFor(async () => {
    const messages = await channelMessages(guildId, channelId);
    expect(messages).toHaveLength(count);
    return messages;
  }, WAIT);
}

async function dmsOf(userId: string) {
  const res = await fetch(`${new URL(env.DISCORD_API_BASE ?? "").origin}/__control/dms?userId=${userId}`);
  return res.json<{ channelId: string | null; messages: { content: string }[] }>();
}

async function memberJoins(g: ManagedGuild, user: { id: string; username: string; global_name?: string | null }, options: { bot?: boolean; pending?: boolean } = {}) {
  // The member exists in Discord by the time the Gateway tells us (roles are given to a member).
  const res = await fetch(`${new URL(env.DISCORD_API_BASE ?? "").origin}/__control/guilds/${g.guildId}/members`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user, roles: [] }),
  });
  expect(res.status).toBe(200);
  return {
    kind: "member.joined" as const,
    id: `join-${g.guildId}-${user.id}`,
    guildId: g.guildId,
    user: { id: user.id, username: user.username, global_name: user.global_name ?? null, avatar: null, bot: !!options.bot },
    joinedAt: new Date().toISOString(),
    ...(options.pending ? { pending: true as const } : {}),
  };
}

const eventRow = (id: string) => withDb(async (db) => (await db.select().from(welcomeEvents).where(eq(welcomeEvents.id, id)))[0]);

async function configure(g: ManagedGuild, settings: Record<string, unknown>) {
  const res = await call(`/api/t/${g.lab.tenantId}/discord/guilds/${g.guildId}/welcome`, g.lab.members.admin, json("PUT", settings));
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json<{ settings: Record<string, unknown>; warnings: { field: string; message: string }[] }>();
}

describe("welcome: member joins", () => {
  let g: ManagedGuild;
  beforeAll(async () => {
    g = await seedManagedGuild("Welcome Lab");
    await configure(g, {
      enabled: true,
      channelId: g.channels.welcome,
      template: "Welcome {user} to **{server}**! {random:Enjoy|Have fun} @everyone",
      embed: { title: "Hello {user.name}", description: "Read the rules, {user.name}.", color: 0x5865f2, thumbnailAvatar: true },
      dmEnabled: true,
      dmTemplate: "Hi {user.name}, welcome to {server}!",
      autoRoleIds: [g.roles.members],
    });
  });

  it("greets in the channel, DMs and gives the auto-role, exactly once on redelivery", async () => {
    const newcomer = { id: snowflake(), username: "ada", global_name: "Ada" };
    const event = await memberJoins(g, newcomer);
    await handleGatewayEvent(env, event);
    // The queue redelivers (or Discord replays the dispatch): nothing happens twice.
    await handleGatewayEvent(env, event);

    const [message] = await waitForMessages(g.guildId, g.channels.welcome, 1);
    expect(message?.content).toMatch(new RegExp(`^Welcome <@${newcomer.id}> to \\*\\*${g.guildName}\\*\\*! (Enjoy|Have fun) @everyone$`));
    // Only the newcomer may be pinged: the @everyone in the template pings nobody.
    expect(message?.allowed_mentions).toEqual({ parse: [], users: [newcomer.id] });
    expect(message?.embeds[0]).toMatchObject({ title: "Hello Ada", description: "Read the rules, Ada.", color: 0x5865f2, thumbnail: { url: expect.stringMatching(/^https:\/\/cdn\.discordapp\.com\/embed\/avatars\/\d\.png$/) } });

    const dms = await dmsOf(newcomer.id);
    expect(dms.messages.map((m) => m.content)).toEqual([`Hi Ada, welcome to ${g.guildName}!`]);
    const state = (await guildState(g.guildId)) as unknown as GuildView;
    expect(state.members.find((m) => m.user.id === newcomer.id)?.roles).toEqual([g.roles.members]);

    expect(await eventRow(event.id)).toMatchObject({ kind: "joined", messageStatus: "queued", dmStatus: "sent", roleStatus: "given" });
    expect(await env.OUTBOX.getByName(g.lab.tenantId).itemStatus(welcomeOutboxId(event.id))).toMatchObject({ status: "delivered" });
    // Still one greeting once the outbox has settled.
    expect(await channelMessages(g.guildId, g.channels.welcome)).toHaveLength(1);
  });

  it("a member who does not accept DMs (Discord 403) is recorded as blocked and not retried; the greeting still goes out", async () => {
    const shy = { id: snowflake(), username: "shy" };
    const dm = await asBot<{ id: string }>("POST", "/users/@me/channels", { recipient_id: shy.id });
    await addFault({ method: "POST", path: `/channels/${dm.id}/messages`, status: 403, count: 5 });
    const event = await memberJoins(g, shy);
    await handleGatewayEvent(env, event);
    await handleGatewayEvent(env, event);

    expect(await eventRow(event.id)).toMatchObject({ dmStatus: "blocked", dmError: expect.stringContaining("cannot send messages to this user"), roleStatus: "given" });
    expect((await dmsOf(shy.id)).messages).toEqual([]);
    await vi.waitFor(async () => expect((await channelMessages(g.guildId, g.channels.welcome)).some((m) => m.content.includes(`<@${shy.id}>`))).toBe(true), WAIT);

    const view = await (await call(`/api/t/${g.lab.tenantId}/discord/guilds/${g.guildId}/welcome`, g.lab.members.admin)).json<{ recent: { id: string; dmStatus: string }[] }>();
    expect(view.recent.find((r) => r.id === event.id)?.dmStatus).toBe("blocked");
  });

  it("a role above the bot's (Discord 403) shows on the dashboard as a clear status", async () => {
    const member = { id: snowflake(), username: "late" };
    await addFault({ method: "PUT", path: `/members/${member.id}/roles/${g.roles.members}`, status: 403 });
    const event = await memberJoins(g, member);
    await handleGatewayEvent(env, event);

    expect(await eventRow(event.id)).toMatchObject({ roleStatus: "forbidden", roleError: expect.stringContaining("move its role above") });
    const view = await (await call(`/api/t/${g.lab.tenantId}/discord/guilds/${g.guildId}/welcome`, g.lab.members.admin)).json<{
      autoRoles: { userId: string; results: { roleId: string; ok: boolean; status: number; message: string }[] };
    }>();
    expect(view.autoRoles).toMatchObject({ userId: member.id, results: [{ roleId: g.roles.members, ok: false, status: 403, message: expect.stringContaining("Manage Roles") }] });
  });

  it("a member pending Membership Screening is greeted on join, and gets the auto-role only once they pass it, once", async () => {
    const reader = { id: snowflake(), username: "reader", global_name: "Reader" };
    const joined = await memberJoins(g, reader, { pending: true });
    await handleGatewayEvent(env, joined);
    await handleGatewayEvent(env, joined);

    const rolesOf = async () => ((await guildState(g.guildId)) as unknown as GuildView).members.find((m) => m.user.id === reader.id)?.roles;
    await vi.waitFor(async () => expect((await channelMessages(g.guildId, g.channels.welcome)).some((m) => m.content.includes(`<@${reader.id}>`))).toBe(true), WAIT);
    expect((await dmsOf(reader.id)).messages).toHaveLength(1);
    expect(await rolesOf(), "no role before the rules are accepted").toEqual([]);
    expect(await eventRow(joined.id)).toMatchObject({ messageStatus: "queued", dmStatus: "sent", roleStatus: "pending" });

    // GUILD_MEMBER_UPDATE with pending false, as the DiscordGateway object hands it on (and once more, redelivered).
    const screened = { kind: "member.screened" as const, id: `screened-${g.guildId}-${reader.id}`, guildId: g.guildId, user: joined.user };
    await handleGatewayEvent(env, screened);
    expect(await rolesOf()).toEqual([g.roles.members]);
    expect(await eventRow(joined.id)).toMatchObject({ roleStatus: "given" });
    // A moderator takes the role away again; the redelivered event must not give it back.
    const reset = await fetch(`${new URL(env.DISCORD_API_BASE ?? "").origin}/__control/guilds/${g.guildId}/members`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ user: reader, roles: [] }) });
    expect(reset.status).toBe(200);
    await handleGatewayEvent(env, screened);
    expect(await rolesOf()).toEqual([]);
    expect(await eventRow(joined.id)).toMatchObject({ roleStatus: "given" });
  });

  it("a member.screened handed over before its join is refused so the queue retries it; the retry gives the role", async () => {
    const early = { id: snowflake(), username: "early" };
    const joined = await memberJoins(g, early, { pending: true });
    const screened = { kind: "member.screened" as const, id: `screened-${g.guildId}-${early.id}`, guildId: g.guildId, user: joined.user };
    const failed = await handleGatewayEvent(env, screened).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(AggregateError);
    expect((failed as AggregateError).errors[0]).toMatchObject({ name: "RetryLater", message: expect.stringMatching(/not recorded yet/) });

    await handleGatewayEvent(env, joined);
    expect(await eventRow(joined.id)).toMatchObject({ roleStatus: "pending" });
    await handleGatewayEvent(env, screened);
    expect(await eventRow(joined.id)).toMatchObject({ roleStatus: "given" });
    expect(((await guildState(g.guildId)) as unknown as GuildView).members.find((m) => m.user.id === early.id)?.roles).toEqual([g.roles.members]);
  });

  it("bots joining are ignored unless configured", async () => {
    const bot = { id: snowflake(), username: "helper-bot" };
    const event = await memberJoins(g, bot, { bot: true });
    await handleGatewayEvent(env, event);
    expect(await eventRow(event.id)).toMatchObject({ messageStatus: "skipped", dmStatus: "skipped", roleStatus: "skipped" });
    expect((await dmsOf(bot.id)).channelId).toBeNull();
  });
});

describe("welcome: member leaves", () => {
  it("posts the leave message once, pinging nobody", async () => {
    const g = await seedManagedGuild("Leave Lab");
    await configure(g, { leaveEnabled: true, leaveChannelId: g.channels.goodbye, leaveTemplate: "{user.name} ({user}) left {server}." });
    const user = { id: snowflake(), username: "bye", global_name: "Bye Bye", avatar: null, bot: false };
    const event = { kind: "member.left" as const, id: `leave-${g.guildId}-${user.id}`, guildId: g.guildId, user };
    await handleGatewayEvent(env, event);
    await handleGatewayEvent(env, event);
    const [message] = await waitForMessages(g.guildId, g.channels.goodbye, 1);
    expect(message?.content).toBe(`Bye Bye (<@${user.id}>) left ${g.guildName}.`);
    expect(message?.allowed_mentions).toEqual({ parse: [] });
    expect(await channelMessages(g.guildId, g.channels.welcome)).toEqual([]);
  });
});

describe("welcome: dashboard editor", () => {
  let g: ManagedGuild;
  beforeAll(async () => {
    g = await seedManagedGuild("Editor Lab");
  });
  const path = () => `/api/t/${g.lab.tenantId}/discord/guilds/${g.guildId}/welcome`;

  it("GET shows defaults before anything is saved, with the variables the editor offers", async () => {
    const res = await call(path(), g.lab.members.admin);
    expect(res.status).toBe(200);
    const view = await res.json<{ settings: { enabled: boolean; template: string }; variables: string[]; recent: unknown[] }>();
    expect(view.settings.enabled).toBe(false);
    expect(view.settings.template).toContain("{user}");
    expect(view.variables).toEqual(expect.arrayContaining(["user", "user.mention", "user.name", "server", "memberCount"]));
    expect(view.recent).toEqual([]);
  });

  it("preview renders the unsaved settings for a sample member (the signed-in manager), with errors and warnings", async () => {
    const res = await call(`${path()}/preview`, g.lab.members.admin, json("POST", { template: "Hi {user.name}, welcome to {server}! {usr} {random:a|b}", embed: { title: "{user.name}", thumbnailAvatar: true }, dmTemplate: "DM {user", dmEnabled: true }));
    expect(res.status, await res.clone().text()).toBe(200);
    const preview = await res.json<{ member: { id: string }; welcome: { content: string; embeds: { title: string; thumbnail: { url: string } }[]; allowed_mentions: unknown }; dm: { content: string }; errors: { field: string; message: string }[]; warnings: { field: string; message: string }[] }>();
    expect(preview.member.id).toBe(g.adminDiscordId);
    expect(preview.welcome.content).toBe(`Hi ${g.lab.members.admin.name}, welcome to ${g.guildName}! {usr} a`);
    expect(preview.welcome.embeds[0]?.thumbnail.url).toMatch(/^https:\/\/cdn\.discordapp\.com\//);
    expect(preview.welcome.allowed_mentions).toEqual({ parse: [], users: [g.adminDiscordId] });
    expect(preview.dm.content).toBe("DM {user");
    expect(preview.errors).toEqual([{ field: "dmTemplate", index: 3, message: expect.stringContaining("Unclosed") }]);
    expect(preview.warnings).toEqual([{ field: "template", index: expect.any(Number), message: expect.stringContaining("{usr}") }]);
  });

  it("PUT refuses template errors and missing channels with details; warnings come back on save", async () => {
    const broken = await call(path(), g.lab.members.admin, json("PUT", { template: "Welcome {user" }));
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: { code: "BAD_REQUEST", details: { issues: [{ path: "template", message: expect.stringContaining("Unclosed") }] } } });

    const noChannel = await call(path(), g.lab.members.admin, json("PUT", { enabled: true }));
    expect(noChannel.status).toBe(400);
    expect(await noChannel.json()).toMatchObject({ error: { details: { issues: [{ path: "channelId" }] } } });

    const unknownRole = await call(path(), g.lab.members.admin, json("PUT", { autoRoleIds: [snowflake()] }));
    expect(unknownRole.status).toBe(400);
    const badShape = await call(path(), g.lab.members.admin, json("PUT", { channelId: "general", template: 5 }));
    expect(badShape.status).toBe(400);
    expect(((await badShape.json()) as { error: { details: { issues: unknown[] } } }).error.details.issues.length).toBe(2);

    const saved = await configure(g, { enabled: true, channelId: g.channels.general, template: "Hey {user}! {nope}" });
    expect(saved.warnings).toEqual([{ field: "template", index: 12, message: expect.stringContaining("{nope}") }]);
  });

  it("PUT refuses a welcome or leave channel of another tenant's server with 400 naming the field; nothing is saved", async () => {
    const victim = await seedManagedGuild("Victim Welcome Lab");
    const before = await (await call(path(), g.lab.members.admin)).json<{ settings: unknown; updatedAt: string | null }>();
    for (const [field, body] of [
      ["channelId", { enabled: true, channelId: victim.channels.welcome }],
      ["leaveChannelId", { leaveEnabled: true, leaveChannelId: victim.channels.goodbye }],
    ] as const) {
      const res = await call(path(), g.lab.members.admin, json("PUT", body));
      expect(res.status, field).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "BAD_REQUEST", message: "That channel is not in this server", details: { field, issues: [{ path: field }] } } });
    }
    const after = await (await call(path(), g.lab.members.admin)).json<{ settings: unknown; updatedAt: string | null }>();
    expect(after).toEqual(before);
    // The test send cannot reach the other server either: nothing arrived there.
    expect(await channelMessages(victim.guildId, victim.channels.welcome)).toEqual([]);
  });

  it("send test posts the greeting for the manager to the channel", async () => {
    await configure(g, { enabled: true, channelId: g.channels.general, template: "Test welcome for {user}" });
    const res = await call(`${path()}/test`, g.lab.members.admin, { method: "POST" });
    expect(res.status, await res.clone().text()).toBe(202);
    const [message] = await waitForMessages(g.guildId, g.channels.general, 1);
    expect(message?.content).toBe(`Test welcome for <@${g.adminDiscordId}>`);
  });

  it("an operator may read but not change; another tenant gets 404; a manager without Manage Server gets 403", async () => {
    expect((await call(path(), g.lab.members.operator, json("PUT", { enabled: false }))).status).toBe(403);
    expect((await call(`${path()}/test`, g.lab.members.operator, { method: "POST" })).status).toBe(403);
    const other = await seedManagedGuild("Other Welcome Lab");
    expect((await call(`/api/t/${other.lab.tenantId}/discord/guilds/${g.guildId}/welcome`, other.lab.members.admin)).status).toBe(404);
    expect((await call(`/api/t/${other.lab.tenantId}/discord/guilds/${g.guildId}/welcome`, other.lab.members.admin, json("PUT", { enabled: false }))).status).toBe(404);
    // The owner has no Discord account linked: Manage Server cannot be checked.
    expect((await call(path(), g.lab.members.owner)).status).toBe(403);
  });
});
