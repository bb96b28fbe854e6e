// Channel tickets ("one private thread or channel per ticket", TicketsBot's two modes) end to end, through the real
// Worker, the real queue and the fake Discord: the panel setting (validated, defaulting to threads); a ticket whose
// home is a text channel under a Discord category that only the opener, staff and the bot can see (one channel even
// when the queue redelivers the submit); claim and add/remove as permission overwrites; rename and Discord's rename
// limit; close with reason (transcript stored, then the channel deleted), rating, close request and auto-close; the
// channel kept when its transcript could not be read; and thread tickets staying threads when their panel switches.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { ticketMessages, tickets } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import { applicationIdOf } from "../../src/custom-commands/registration.ts";
import { handleGatewayEvent } from "../../src/discord-gateway/gateway-events.ts";
import { interactionRegistry } from "../../src/interactions/commands.ts";
import { runDeferredInteraction } from "../../src/interactions/run-deferred.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createServices } from "../../src/services/services.ts";
import "../../src/tickets/ticket-activity.ts";
import type { Env } from "../../src/env.ts";
import { TIMERS_CLOCK_OFFSET_KEY, getTicketTimersByName } from "../../src/tickets/ticket-timers.ts";
import { addFault } from "../discord/fake-discord.ts";
import { withDb } from "../support/seed.ts";
import {
  type PanelSetup,
  type TicketGuild,
  api,
  channel,
  createPanel,
  customIds,
  deletedChannel,
  discordCalls,
  dmsOf,
  env,
  json,
  postAs,
  send,
  sendDeferred,
  seedTicketGuild,
  signer,
  snowflake,
  threadsOf,
} from "./tickets-harness.ts";

const bindings = env as Env;
const botId = applicationIdOf(loadConfig(bindings)) ?? "";
/** Discord: VIEW_CHANNEL | SEND_MESSAGES | ATTACH_FILES | READ_MESSAGE_HISTORY, and VIEW_CHANNEL alone. */
const PARTICIPANT = String((1n << 10n) | (1n << 11n) | (1n << 15n) | (1n << 16n));
const VIEW = String(1n << 10n);

let t: TicketGuild;
let panel: PanelSetup;
let ticketId: string;
let channelId: string;

const ticketRow = (id: string) => withDb(async (db) => (await db.select().from(tickets).where(eq(tickets.id, id)))[0]);
const panelBody = (t: TicketGuild, extra: Record<string, unknown>) => ({ channelId: t.supportChannelId, title: "Need help?", categories: [{ name: "Hardware", staffRoleIds: [t.staffRoleId], questions: [{ label: "What is broken?", style: "short" }] }], ...extra });

/** Switches the guild's (only) panel to channel tickets under the Tickets category. */
async function makeChannelPanel(g: TicketGuild, p: PanelSetup) {
  const res = await api(g, `/panels/${p.panelId}`, g.lab.owner, json({ ...panelBody(g, { ticketKind: "channel", discordCategoryId: g.ticketsCategoryId }), categories: [{ id: p.categoryIds[0], name: "Hardware", staffRoleIds: [g.staffRoleId], questions: [{ label: "What is broken?", style: "short" }] }] }, "PUT"));
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json<{ ticketKind: string; discordCategoryId: string | null }>();
}

async function open(g: TicketGuild, p: PanelSetup, member = g.alice, answer = "My NAS is down") {
  const payload = signer.modalSubmit(`tk.form:${p.categoryIds[0]}`, { q0: answer }, { guildId: g.guildId, channelId: g.supportChannelId, member });
  const reply = await sendDeferred(payload, 5, 64);
  const [row] = await withDb((db) => db.select().from(tickets).where(eq(tickets.openInteractionId, String(payload.id))));
  return { reply, row };
}

const ticketCommand = (g: TicketGuild, where: string, subcommand: string, options: { name: string; type: number; value: string }[] = [], member = g.carol) =>
  signer.slashCommand("ticket", { subcommand, options, guildId: g.guildId, channelId: where, member });

beforeAll(async () => {
  t = await seedTicketGuild("Channel Lab");
  panel = await createPanel(t);
});

describe("the panel's ticket kind", () => {
  it("defaults to threads, and a panel switched to channels reads back with its Discord category", async () => {
    const before = await (await api(t, "/config", t.lab.members.viewer)).json<{ panels: { ticketKind: string; discordCategoryId: string | null }[] }>();
    expect(before.panels[0]).toMatchObject({ ticketKind: "thread", discordCategoryId: null });
    expect(await makeChannelPanel(t, panel)).toMatchObject({ ticketKind: "channel", discordCategoryId: t.ticketsCategoryId });
    const after = await (await api(t, "/config", t.lab.members.viewer)).json<{ panels: { ticketKind: string; discordCategoryId: string | null }[] }>();
    expect(after.panels[0]).toMatchObject({ ticketKind: "channel", discordCategoryId: t.ticketsCategoryId });
  });

  it("refuses an unknown kind, a category on a thread panel, a channel that is not a category, and another server's category", async () => {
    const victim = await seedTicketGuild("Victim Channel Lab");
    const cases: [Record<string, unknown>, string][] = [
      [{ ticketKind: "forum" }, "ticketKind"],
      [{ ticketKind: "thread", discordCategoryId: t.ticketsCategoryId }, "discordCategoryId"],
      [{ ticketKind: "channel", discordCategoryId: "not-an-id" }, "discordCategoryId"],
      [{ ticketKind: "channel", discordCategoryId: t.logChannelId }, "discordCategoryId"],
      [{ ticketKind: "channel", discordCategoryId: victim.ticketsCategoryId }, "discordCategoryId"],
    ];
    for (const [extra, field] of cases) {
      const res = await api(t, "/panels", t.lab.owner, json(panelBody(t, extra)));
      expect(res.status, JSON.stringify(extra)).toBe(400);
      const body = await res.json<{ error: { code: string; details: { issues: { path: unknown }[] } } }>();
      expect(body.error.code).toBe("BAD_REQUEST");
      expect(JSON.stringify(body.error.details.issues), JSON.stringify(extra)).toContain(field);
    }
    const config = await (await api(t, "/config", t.lab.owner)).json<{ panels: unknown[] }>();
    expect(config.panels).toHaveLength(1);
  });

  it("a channel panel without a category is accepted (its tickets open at the top of the channel list)", async () => {
    const res = await api(t, "/panels", t.lab.owner, json(panelBody(t, { ticketKind: "channel" })));
    expect(res.status, await res.clone().text()).toBe(201);
    const view = await res.json<{ id: string; ticketKind: string; discordCategoryId: string | null }>();
    expect(view).toMatchObject({ ticketKind: "channel", discordCategoryId: null });
    expect((await api(t, `/panels/${view.id}`, t.lab.owner, { method: "DELETE" })).status).toBe(204);
  });
});

describe("a channel ticket's life", () => {
  it("opening creates a text channel under the category that @everyone cannot see and the opener, staff and bot can", async () => {
    const threadsBefore = (await threadsOf(t)).length;
    const { reply, row } = await open(t, panel);
    expect(row).toMatchObject({ kind: "channel", number: 1, status: "open", openerId: t.alice.user.id });
    ticketId = row?.id ?? "";
    channelId = row?.threadId ?? "";
    expect(reply.content).toContain(`<#${channelId}>`);
    expect((await threadsOf(t)).length).toBe(threadsBefore);

    const made = await channel(t, channelId);
    expect(made).toMatchObject({ type: 0, parent_id: t.ticketsCategoryId, name: "ticket-0001-alice" });
    expect(made.permission_overwrites).toEqual([
      { id: t.guildId, type: 0, allow: "0", deny: VIEW },
      { id: t.alice.user.id, type: 1, allow: PARTICIPANT, deny: "0" },
      { id: t.staffRoleId, type: 0, allow: PARTICIPANT, deny: "0" },
      { id: botId, type: 1, allow: PARTICIPANT, deny: "0" },
    ]);
    const [create] = (await discordCalls(`/guilds/${t.guildId}/channels`)).filter((c) => c.method === "POST");
    expect(create?.body).toMatchObject({ type: 0, parent_id: t.ticketsCategoryId });

    const first = made.messages[0];
    expect(first?.content).toBe(`<@${t.alice.user.id}> <@&${t.staffRoleId}>`);
    expect(first?.allowed_mentions).toEqual({ parse: [], users: [t.alice.user.id], roles: [t.staffRoleId] });
    expect(customIds(first)).toEqual([`tk.claim:${ticketId}`, `tk.close:${ticketId}`, `tk.closewhy:${ticketId}`]);
  });

  it("the per-user limit holds for channel tickets too, and nothing is created", async () => {
    const createsBefore = (await discordCalls(`/guilds/${t.guildId}/channels`)).filter((c) => c.method === "POST").length;
    const { reply } = await open(t, panel);
    expect(reply.content).toMatch(/already have 1 open ticket.*limit is 1.*<#\d+>/);
    expect((await discordCalls(`/guilds/${t.guildId}/channels`)).filter((c) => c.method === "POST").length).toBe(createsBefore);
  });

  it("a redelivered submit (the queue runs run() again) finds its ticket and creates no second channel", async () => {
    expect((await api(t, "/settings", t.lab.owner, json({ perUserLimit: 3 }, "PATCH"))).status).toBe(200);
    const payload = signer.modalSubmit(`tk.form:${panel.categoryIds[0]}`, { q0: "Printer on fire" }, { guildId: t.guildId, channelId: t.supportChannelId, member: t.bob });
    await sendDeferred(payload, 5, 64);
    const creates = async () => (await discordCalls(`/guilds/${t.guildId}/channels`)).filter((c) => c.method === "POST").length;
    const before = await creates();
    const scope = createServices(bindings, loadConfig(bindings), createLogger({ test: "ticket-channels" }, "error"));
    try {
      await runDeferredInteraction({ interaction: payload, deferred: "message" }, { env: bindings, services: scope.services, logger: scope.services.logger, attempts: 2, requestId: null }, interactionRegistry);
    } finally {
      await scope.dispose();
    }
    expect(await creates()).toBe(before);
    const rows = await withDb((db) => db.select().from(tickets).where(eq(tickets.openInteractionId, String(payload.id))));
    expect(rows).toHaveLength(1);
    expect((await channel(t, rows[0]?.threadId ?? "")).permission_overwrites?.filter((o) => o.id === t.bob.user.id)).toHaveLength(1);
    expect((await api(t, "/settings", t.lab.owner, json({ perUserLimit: 1 }, "PATCH"))).status).toBe(200);
  });

  it("claiming gives the claimer a member overwrite and marks the buttons", async () => {
    const reply = await sendDeferred(signer.component(`tk.claim:${ticketId}`, { guildId: t.guildId, channelId, member: t.carol }));
    expect(reply.content).toBe("You claimed ticket #1.");
    const made = await channel(t, channelId);
    expect(made.permission_overwrites).toContainEqual({ id: t.carol.user.id, type: 1, allow: PARTICIPANT, deny: "0" });
    expect(made.messages.at(-1)?.content).toContain(`<@${t.carol.user.id}> claimed this ticket`);
    const claimButton = ((made.messages[0]?.components ?? []) as { components: { label: string; disabled?: boolean }[] }[])[0]?.components[0];
    expect(claimButton).toMatchObject({ label: "Claimed", disabled: true });
    expect(await discordCalls(`/channels/${channelId}/thread-members`)).toEqual([]);
  });

  it("/ticket add and remove put and delete the member's overwrite; the opener cannot be removed", async () => {
    expect((await sendDeferred(ticketCommand(t, channelId, "add", [{ name: "user", type: 6, value: t.bob.user.id }]))).content).toBe(`Added <@${t.bob.user.id}>.`);
    expect((await channel(t, channelId)).permission_overwrites).toContainEqual({ id: t.bob.user.id, type: 1, allow: PARTICIPANT, deny: "0" });
    expect((await sendDeferred(ticketCommand(t, channelId, "remove", [{ name: "user", type: 6, value: t.bob.user.id }]))).content).toBe(`Removed <@${t.bob.user.id}>.`);
    expect((await channel(t, channelId)).permission_overwrites?.map((o) => o.id)).not.toContain(t.bob.user.id);
    // Removing someone who has no overwrite is Discord's 404 Unknown Overwrite: still "removed".
    expect((await sendDeferred(ticketCommand(t, channelId, "remove", [{ name: "user", type: 6, value: t.bob.user.id }]))).content).toBe(`Removed <@${t.bob.user.id}>.`);
    expect((await sendDeferred(ticketCommand(t, channelId, "remove", [{ name: "user", type: 6, value: t.alice.user.id }]))).content).toMatch(/opener cannot be removed/);

    const calls = (await discordCalls(`/channels/${channelId}/permissions/${t.bob.user.id}`)).map((c) => ({ method: c.method, body: c.body }));
    expect(calls).toEqual([
      { method: "PUT", body: { type: 1, allow: PARTICIPANT, deny: "0" } },
      { method: "DELETE", body: null },
      { method: "DELETE", body: null },
    ]);
  });

  it("/ticket rename renames the channel; Discord's rename limit gets a clear answer", async () => {
    const reply = await sendDeferred(ticketCommand(t, channelId, "rename", [{ name: "name", type: 3, value: "nas-outage" }]));
    expect(reply.content).toContain("nas-outage");
    expect((await channel(t, channelId)).name).toBe("nas-outage");
    // Discord: two renames per channel per 10 minutes; the third is a 429 with a retry_after of minutes.
    await addFault({ method: "PATCH", path: `/channels/${channelId}`, status: 429, retryAfter: 540 });
    const limited = await sendDeferred(ticketCommand(t, channelId, "rename", [{ name: "name", type: 3, value: "again" }]));
    expect(limited.content).toMatch(/renaming a channel twice every 10 minutes/);
    expect((await channel(t, channelId)).name).toBe("nas-outage");
  });

  it("messages in the channel count as activity; a staff member's is the first response", async () => {
    const at = new Date();
    await handleGatewayEvent(bindings, { kind: "message.created", id: snowflake(), guildId: t.guildId, channelId, authorId: t.carol.user.id, bot: false, at: at.toISOString() });
    expect((await ticketRow(ticketId))?.firstStaffResponseAt?.getTime()).toBe(at.getTime());
  });

  it("close with reason: transcript stored from the channel, then the channel deleted; log and rating DM as for threads", async () => {
    await api(t, "/settings", t.lab.owner, json({ logChannelId: t.logChannelId }, "PATCH"));
    await postAs(channelId, t.alice, "hello", { count: 120 });
    const modal = await send(signer.component(`tk.closewhy:${ticketId}`, { guildId: t.guildId, channelId, member: t.carol }));
    expect(modal).toMatchObject({ type: 9, data: { custom_id: `tk.closereason:${ticketId}` } });
    const reply = await sendDeferred(signer.modalSubmit(`tk.closereason:${ticketId}`, { reason: "Fixed the NAS" }, { guildId: t.guildId, channelId, member: t.carol }));
    expect(reply.content).toBe("Ticket #1 is closed.");

    const row = await ticketRow(ticketId);
    expect(row).toMatchObject({ status: "closed", closeReason: "Fixed the NAS", closedById: t.carol.user.id });
    expect(row?.closeFinishedAt).not.toBeNull();
    const gone = await deletedChannel(t, channelId);
    await expect(channel(t, channelId)).rejects.toThrow(/not in the fake/);
    const stored = await withDb((db) => db.select().from(ticketMessages).where(eq(ticketMessages.ticketId, ticketId)).orderBy(ticketMessages.sentAt, ticketMessages.messageId));
    expect(stored.map((m) => m.messageId)).toEqual(gone.messages.map((m) => m.id));
    expect(row?.transcriptCount).toBe(gone.messages.length);
    expect(stored.at(-1)?.embedText).toContain("Fixed the NAS");

    // The transcript was read (every page) before the channel was deleted, and the channel was deleted once.
    const calls = (await discordCalls(`/channels/${channelId}`)).map((c) => `${c.method} ${c.path.replace(/^\/api\/v10/, "")}`);
    const lastRead = calls.lastIndexOf(`GET /channels/${channelId}/messages`);
    expect(calls.filter((c) => c === `GET /channels/${channelId}/messages`).length).toBe(2);
    expect(calls.indexOf(`DELETE /channels/${channelId}`)).toBeGreaterThan(lastRead);
    expect(calls.filter((c) => c === `DELETE /channels/${channelId}`)).toHaveLength(1);
    // No thread archive on a channel: its only edits were the two renames.
    const edits = (await discordCalls(`/channels/${channelId}`)).filter((c) => c.method === "PATCH" && c.path.endsWith(`/channels/${channelId}`));
    expect(edits.map((c) => c.body)).toEqual([{ name: "nas-outage" }, { name: "again" }]);

    const log = (await channel(t, t.logChannelId)).messages;
    expect(log.at(-1)?.embeds).toMatchObject([{ title: "Ticket #1 closed: My NAS is down" }]);
    expect(log.at(-1)?.uploads?.[0]?.content.match(/hello/g)?.length).toBe(120);
    expect(customIds((await dmsOf(t.alice.user.id)).at(-1))).toEqual([1, 2, 3, 4, 5].map((n) => `tk.rate:${ticketId}:${n}`));
  });

  it("the opener rates the closed ticket from the DM", async () => {
    const edited = await sendDeferred(signer.component(`tk.rate:${ticketId}:5`, { guildId: null, member: t.alice }), 6);
    expect(edited.embeds).toMatchObject([{ title: "Thanks for your rating!" }]);
    expect((await ticketRow(ticketId))?.rating).toBe(5);
  });

  it("a close request the opener confirms closes the ticket and deletes its channel", async () => {
    const { row } = await open(t, panel, t.alice, "VPN flaky");
    const where = row?.threadId ?? "";
    expect((await sendDeferred(ticketCommand(t, where, "closerequest"))).content).toBe("Asked the opener to confirm.");
    const [yes] = customIds((await channel(t, where)).messages.at(-1));
    const closed = await sendDeferred(signer.component(yes ?? "", { guildId: t.guildId, channelId: where, member: t.alice }), 6);
    expect(closed.embeds).toMatchObject([{ title: "Closed by the opener" }]);
    expect(await ticketRow(row?.id ?? "")).toMatchObject({ status: "closed", closeReason: "Resolved (confirmed by the opener)" });
    expect((await deletedChannel(t, where)).messages.length).toBe((await ticketRow(row?.id ?? ""))?.transcriptCount);
  });

  it("auto-close: the guild's TicketTimers alarm closes an idle channel ticket and deletes its channel", async () => {
    expect((await api(t, "/settings", t.lab.owner, json({ autoCloseHours: 1 }, "PATCH"))).status).toBe(200);
    const { row } = await open(t, panel, t.alice, "Idle one");
    const timers = getTicketTimersByName(bindings.TICKET_TIMERS, t.guildId);
    await runInDurableObject(timers, (_obj, state) => state.storage.kv.put(TIMERS_CLOCK_OFFSET_KEY, 61 * 60_000));
    expect(await runDurableObjectAlarm(timers)).toBe(true);
    expect(await ticketRow(row?.id ?? "")).toMatchObject({ status: "closed", closeReason: "No activity for 1 hour", closedById: null });
    await deletedChannel(t, row?.threadId ?? "");
    expect((await api(t, "/settings", t.lab.owner, json({ autoCloseHours: null }, "PATCH"))).status).toBe(200);
  });

  it("when the transcript cannot be read the channel is kept, so nothing said there is lost", async () => {
    const { row } = await open(t, panel, t.alice, "Unreadable");
    const where = row?.threadId ?? "";
    await addFault({ method: "GET", path: `/channels/${where}/messages`, status: 403 });
    expect((await sendDeferred(signer.component(`tk.close:${row?.id}`, { guildId: t.guildId, channelId: where, member: t.carol }))).content).toMatch(/is closed/);
    expect((await ticketRow(row?.id ?? ""))?.status).toBe("closed");
    expect((await channel(t, where)).type).toBe(0);
    expect((await discordCalls(`/channels/${where}`)).filter((c) => c.method === "DELETE")).toEqual([]);
  });
});

describe("switching a panel's kind", () => {
  it("tickets already open keep their kind: a thread ticket of a panel switched to channels is archived, not deleted", async () => {
    const g = await seedTicketGuild("Switch Lab");
    const p = await createPanel(g);
    const { row } = await open(g, p, g.bob, "Opened as a thread");
    expect(row?.kind).toBe("thread");
    await makeChannelPanel(g, p);
    expect((await sendDeferred(ticketCommand(g, row?.threadId ?? "", "close"))).content).toBe("Ticket #1 is closed.");
    expect((await channel(g, row?.threadId ?? "")).thread_metadata).toMatchObject({ archived: true, locked: true });
    const { row: next } = await open(g, p, g.bob, "Opened as a channel");
    expect(next).toMatchObject({ kind: "channel", number: 2 });
    expect((await channel(g, next?.threadId ?? "")).type).toBe(0);
    const kinds = await withDb((db) => db.select({ kind: tickets.kind }).from(tickets).where(and(eq(tickets.guildId, g.guildId))).orderBy(tickets.number));
    expect(kinds.map((k) => k.kind)).toEqual(["thread", "channel"]);
  });
});
