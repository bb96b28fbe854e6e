// Arrangement for the ticket suites: a tenant with a linked guild that exists in the fake Discord (owner, a staff role,
// members, a support channel, a log channel and a "Tickets" category for channel tickets), the owner's Discord account linked (Manage Server via ownership),
// signed interactions sent to the real Worker, and the fake's view of channels, threads, DMs and interactions.
import { env, exports } from "cloudflare:workers";
import { guilds, users } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import type { FakeChannel, FakeMessage } from "../../../test/fakes/discord-guild-types.ts";
import type { InvokingMember } from "../../../test/fakes/interaction-signer.ts";
import { discordOrigin, guildState, seedGuild, signer, snowflake, waitForOriginalEdit } from "../discord/fake-discord.ts";
import { type SeededTenant, type SeededUser, asUser, seedTenant, url, withDb } from "../support/seed.ts";

export { env, signer, snowflake, waitForOriginalEdit };

export interface TicketGuild {
  lab: SeededTenant;
  guildId: string;
  ownerDiscordId: string;
  staffRoleId: string;
  supportChannelId: string;
  logChannelId: string;
  /** A Discord category (channel type 4), where channel tickets can be created. */
  ticketsCategoryId: string;
  alice: InvokingMember;
  bob: InvokingMember;
  carol: InvokingMember;
}

export async function seedTicketGuild(name = "Ticket Lab"): Promise<TicketGuild> {
  const guildId = snowflake();
  const ownerDiscordId = snowflake();
  const staffRoleId = snowflake();
  const supportChannelId = snowflake();
  const logChannelId = snowflake();
  const ticketsCategoryId = snowflake();
  const alice: InvokingMember = { user: { id: snowflake(), username: "alice" }, roles: [], permissions: "0" };
  const bob: InvokingMember = { user: { id: snowflake(), username: "bob" }, roles: [], permissions: "0" };
  const carol: InvokingMember = { user: { id: snowflake(), username: "carol" }, roles: [staffRoleId], permissions: "0" };
  await seedGuild({
    id: guildId,
    name: `${name} server`,
    ownerId: ownerDiscordId,
    roles: [{ id: staffRoleId, name: "Support staff", permissions: "0" }],
    channels: [
      { id: supportChannelId, name: "support", type: 0 },
      { id: logChannelId, name: "ticket-log", type: 0 },
      { id: ticketsCategoryId, name: "Tickets", type: 4 },
    ],
    members: [
      { user: { id: ownerDiscordId, username: "owner" }, roles: [] },
      { user: alice.user, roles: [] },
      { user: bob.user, roles: [] },
      { user: carol.user, roles: [staffRoleId] },
    ],
  });
  const lab = await withDb(async (db) => {
    const tenant = await seedTenant(db, name);
    await db.insert(guilds).values({ guildId, tenantId: tenant.tenantId, name: `${name} server` });
    await db.update(users).set({ discordId: ownerDiscordId }).where(eq(users.id, tenant.owner.userId));
    return tenant;
  });
  return { lab, guildId, ownerDiscordId, staffRoleId, supportChannelId, logChannelId, ticketsCategoryId, alice, bob, carol };
}

export function api(t: TicketGuild, path: string, user: SeededUser = t.lab.owner, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(url(`/api/t/${t.lab.tenantId}/discord/guilds/${t.guildId}/tickets${path}`), asUser(user, init));
}

export const json = (body: unknown, method = "POST"): RequestInit => ({ method, body: JSON.stringify(body) });

export type InteractionAnswer = { type: number; data?: Record<string, unknown> & { components?: { components: Record<string, unknown>[] }[]; content?: string; flags?: number } };

export async function send(payload: Record<string, unknown>): Promise<InteractionAnswer> {
  const { request } = await signer.request(url("/interactions"), payload);
  const res = await exports.default.fetch(request);
  expect(res.status).toBe(200);
  return res.json<InteractionAnswer>();
}

/** Sends and waits until the queue consumer has edited @original `edits` times; returns the edited message. */
export async function sendDeferred(payload: Record<string, unknown>, expectType = 5, expectFlags?: number): Promise<FakeMessage> {
  const answer = await send(payload);
  expect(answer.type, JSON.stringify(answer)).toBe(expectType);
  if (expectFlags !== undefined) expect(answer.data?.flags).toBe(expectFlags);
  const record = await waitForOriginalEdit(String(payload.id));
  return record.original as FakeMessage;
}

type ChannelView = FakeChannel & { messages: FakeMessage[]; threadMembers?: string[] };
type GuildView = { channels: ChannelView[]; deletedChannels: ChannelView[] };

export async function channel(t: TicketGuild, id: string) {
  const state = (await guildState(t.guildId)) as unknown as GuildView;
  const found = state.channels.find((c) => c.id === id);
  if (!found) throw new Error(`channel ${id} not in the fake`);
  return found;
}

/** A channel the bot deleted, as it was then (messages included); throws when it was not deleted. */
export async function deletedChannel(t: TicketGuild, id: string) {
  const state = (await guildState(t.guildId)) as unknown as GuildView;
  const found = state.deletedChannels.find((c) => c.id === id);
  if (!found) throw new Error(`channel ${id} was not deleted`);
  return found;
}

/** One request of the fake Discord's log (test/fakes/discord.ts LoggedRequest; that module is Node-only). */
export interface DiscordCall {
  method: string;
  path: string;
  body: Record<string, unknown> | null;
}

/** What the Worker sent the fake Discord on paths containing `part` (a channel's id), in order. */
export async function discordCalls(part: string): Promise<DiscordCall[]> {
  const res = await fetch(`${discordOrigin}/__control/requests?path=${encodeURIComponent(part)}`);
  return res.json<DiscordCall[]>();
}

export async function threadsOf(t: TicketGuild) {
  const state = (await guildState(t.guildId)) as unknown as GuildView;
  return state.channels.filter((c) => c.type === 12);
}

export async function postAs(channelId: string, member: InvokingMember, content: string, extra: { count?: number; attachments?: { filename: string; url: string }[] } = {}): Promise<string[]> {
  const res = await fetch(`${discordOrigin}/__control/channels/${channelId}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ author: member.user, content, ...extra }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json<{ ids: string[] }>()).ids;
}

export async function dmsOf(userId: string): Promise<FakeMessage[]> {
  const res = await fetch(`${discordOrigin}/__control/dms?userId=${userId}`);
  return (await res.json<{ messages: FakeMessage[] }>()).messages;
}

export const customIds = (message: { components?: unknown[] } | undefined): string[] =>
  ((message?.components ?? []) as { components: { custom_id?: string }[] }[]).flatMap((row) => row.components.map((c) => c.custom_id ?? ""));

export interface PanelSetup {
  panelId: string;
  categoryIds: string[];
}

/** One panel in the support channel with a "Hardware" category asking two questions, posted to Discord. */
export async function createPanel(t: TicketGuild, categories?: unknown[]): Promise<PanelSetup> {
  const res = await api(
    t,
    "/panels",
    t.lab.owner,
    json({
      channelId: t.supportChannelId,
      title: "Need help?",
      description: "Pick what it is about.",
      categories: categories ?? [
        {
          name: "Hardware",
          emoji: "🖥️",
          staffRoleIds: [t.staffRoleId],
          questions: [
            { label: "What is broken?", style: "short" },
            { label: "Details", style: "paragraph", required: false },
          ],
        },
      ],
    }),
  );
  expect(res.status, await res.clone().text()).toBe(201);
  const panel = await res.json<{ id: string; categories: { id: string }[] }>();
  const posted = await api(t, `/panels/${panel.id}/post`, t.lab.owner, { method: "POST" });
  expect(posted.status, await posted.clone().text()).toBe(200);
  return { panelId: panel.id, categoryIds: panel.categories.map((c) => c.id) };
}
