// Tickets in Discord end to end, through the real Worker, the real queue and the fake Discord: panel posted, click →
// form, submit → private thread, the per-user limit, a redelivered submit, claim, add/remove/rename, activity and the
// first staff response from gateway events, close with reason (paginated transcript, log, archive, rating DM), the
// rating, the close request answered by the opener, auto-close from the guild's TicketTimers alarm, and the away
// notice of a ticket opened outside support hours.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { ticketMessages, tickets } from "@nebula/schema";
import { and, count, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { handleGatewayEvent } from "../../src/discord-gateway/gateway-events.ts";
import "../../src/tickets/ticket-activity.ts";
import type { Env } from "../../src/env.ts";
import { interactionRegistry } from "../../src/interactions/commands.ts";
import { runDeferredInteraction } from "../../src/interactions/run-deferred.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createServices } from "../../src/services/services.ts";
import { loadConfig } from "../../src/config/config.ts";
import { TIMERS_CLOCK_OFFSET_KEY, getTicketTimersByName } from "../../src/tickets/ticket-timers.ts";
import { withDb } from "../support/seed.ts";
import {
  type PanelSetup,
  type TicketGuild,
  api,
  channel,
  createPanel,
  customIds,
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
let t: TicketGuild;
let panel: PanelSetup;
let ticketId: string;
let threadId: string;

const ticketRow = (id: string) => withDb(async (db) => (await db.select().from(tickets).where(eq(tickets.id, id)))[0]);

/** Opens a ticket as `member` through the panel's form; returns the interaction payload and the edited reply. */
async function openThroughForm(member = t.alice, answers = { q0: "My NAS is down", q1: "Since the update" }) {
  const payload = signer.modalSubmit(`tk.form:${panel.categoryIds[0]}`, answers, { guildId: t.guildId, channelId: t.supportChannelId, member });
  // Ephemeral: only the opener sees "your ticket is open" or the refusal.
  const reply = await sendDeferred(payload, 5, 64);
  return { payload, reply };
}

beforeAll(async () => {
  t = await seedTicketGuild("Flow Lab");
  panel = await createPanel(t);
});

describe("panel and form", () => {
  it("posts the panel to its channel with one button per category", async () => {
    const support = await channel(t, t.supportChannelId);
    expect(support.messages).toHaveLength(1);
    const message = support.messages[0];
    expect(message?.embeds).toMatchObject([{ title: "Need help?" }]);
    expect(customIds(message)).toEqual([`tk.open:${panel.categoryIds[0]}`]);
    expect(message?.allowed_mentions).toEqual({ parse: [] });
  });

  it("re-posting edits the same message instead of posting another", async () => {
    const res = await api(t, `/panels/${panel.panelId}/post`, t.lab.owner, { method: "POST" });
    expect(await res.json()).toMatchObject({ action: "edited" });
    expect((await channel(t, t.supportChannelId)).messages).toHaveLength(1);
  });

  it("a click shows the category's questions as a modal, answered at once", async () => {
    const answer = await send(signer.component(`tk.open:${panel.categoryIds[0]}`, { guildId: t.guildId, channelId: t.supportChannelId, member: t.alice }));
    expect(answer.type).toBe(9);
    expect(answer.data?.custom_id).toBe(`tk.form:${panel.categoryIds[0]}`);
    const inputs = (answer.data?.components ?? []).map((row) => row.components[0]);
    expect(inputs).toEqual([
      expect.objectContaining({ custom_id: "q0", label: "What is broken?", style: 1, required: true }),
      expect.objectContaining({ custom_id: "q1", label: "Details", style: 2, required: false }),
    ]);
  });

  it("more than five categories make the panel a select menu, and a choice shows that category's form", async () => {
    const categories = Array.from({ length: 6 }, (_, i) => ({ name: `Topic ${i + 1}`, questions: [{ label: `Question ${i + 1}` }] }));
    const many = await createPanel(t, categories);
    const posted = (await channel(t, t.supportChannelId)).messages.at(-1);
    const select = ((posted?.components ?? []) as { components: { type: number; custom_id: string; options: { value: string }[] }[] }[])[0]?.components[0];
    expect(select).toMatchObject({ type: 3, custom_id: `tk.pick:${many.panelId}` });
    expect(select?.options.map((o) => o.value)).toEqual(many.categoryIds);
    const answer = await send(signer.component(`tk.pick:${many.panelId}`, { componentType: 3, values: [many.categoryIds[4] ?? ""], guildId: t.guildId, member: t.alice }));
    expect(answer).toMatchObject({ type: 9, data: { custom_id: `tk.form:${many.categoryIds[4]}` } });
    expect(JSON.stringify(answer.data)).toContain("Question 5");
  });
});

describe("opening", () => {
  it("a submitted form opens a private thread with the opener, staff mentioned in, and the answers", async () => {
    const { payload, reply } = await openThroughForm();
    const [row] = await withDb((db) => db.select().from(tickets).where(eq(tickets.openInteractionId, String(payload.id))));
    expect(row).toMatchObject({ number: 1, status: "open", subject: "My NAS is down", openerId: t.alice.user.id, categoryName: "Hardware" });
    ticketId = row?.id ?? "";
    threadId = row?.threadId ?? "";
    expect(reply.content).toContain(`<#${threadId}>`);

    const thread = await channel(t, threadId);
    expect(thread).toMatchObject({ type: 12, parent_id: t.supportChannelId, thread_metadata: { invitable: false } });
    expect(thread.threadMembers).toContain(t.alice.user.id);
    const first = thread.messages[0];
    expect(first?.content).toBe(`<@${t.alice.user.id}> <@&${t.staffRoleId}>`);
    expect(first?.allowed_mentions).toEqual({ parse: [], users: [t.alice.user.id], roles: [t.staffRoleId] });
    expect(first?.embeds).toMatchObject([{ fields: [{ name: "What is broken?", value: "My NAS is down" }, { name: "Details", value: "Since the update" }] }]);
    expect(customIds(first)).toEqual([`tk.claim:${ticketId}`, `tk.close:${ticketId}`, `tk.closewhy:${ticketId}`]);
  });

  it("over the per-user limit the opener is refused, privately, and nothing is created", async () => {
    const threadsBefore = (await threadsOf(t)).length;
    const { reply } = await openThroughForm();
    expect(reply.content).toMatch(/already have 1 open ticket.*limit is 1/);
    expect((await threadsOf(t)).length).toBe(threadsBefore);
  });

  it("a redelivered submit (the queue runs run() again) still makes one ticket and one thread", async () => {
    await api(t, "/settings", t.lab.owner, json({ perUserLimit: 3 }, "PATCH"));
    const { payload } = await openThroughForm(t.bob, { q0: "Printer on fire", q1: "" });
    const threadsBefore = (await threadsOf(t)).length;
    const config = loadConfig(bindings);
    const scope = createServices(bindings, config, createLogger({ test: "tickets" }, "error"));
    try {
      await runDeferredInteraction({ interaction: payload, deferred: "message" }, { env: bindings, services: scope.services, logger: scope.services.logger, attempts: 2, requestId: null }, interactionRegistry);
    } finally {
      await scope.dispose();
    }
    const [n] = await withDb((db) => db.select({ n: count() }).from(tickets).where(eq(tickets.openInteractionId, String(payload.id))));
    expect(n?.n).toBe(1);
    expect((await threadsOf(t)).length).toBe(threadsBefore);
    const [bobs] = await withDb((db) => db.select({ n: count() }).from(tickets).where(and(eq(tickets.guildId, t.guildId), eq(tickets.openerId, t.bob.user.id))));
    expect(bobs?.n).toBe(1);
  });
});

describe("handling", () => {
  it("staff claim the ticket; the buttons show it and the claimer joins the thread", async () => {
    const refused = await sendDeferred(signer.component(`tk.claim:${ticketId}`, { guildId: t.guildId, channelId: threadId, member: t.bob }));
    expect(refused.content).toMatch(/Only this ticket's staff/);

    const reply = await sendDeferred(signer.component(`tk.claim:${ticketId}`, { guildId: t.guildId, channelId: threadId, member: t.carol }));
    expect(reply.content).toBe("You claimed ticket #1.");
    expect(await ticketRow(ticketId)).toMatchObject({ claimedById: t.carol.user.id, claimedByName: "carol" });
    const thread = await channel(t, threadId);
    expect(thread.threadMembers).toContain(t.carol.user.id);
    expect(thread.messages.at(-1)?.content).toContain(`<@${t.carol.user.id}> claimed this ticket`);
    const claimButton = ((thread.messages[0]?.components ?? []) as { components: { label: string; disabled?: boolean }[] }[])[0]?.components[0];
    expect(claimButton).toMatchObject({ label: "Claimed", disabled: true });
  });

  it("/ticket add and remove change the thread's members; the opener cannot be removed", async () => {
    const cmd = (subcommand: string, options: { name: string; type: number; value: string }[]) =>
      signer.slashCommand("ticket", { subcommand, options, guildId: t.guildId, channelId: threadId, member: t.carol });
    expect((await sendDeferred(cmd("add", [{ name: "user", type: 6, value: t.bob.user.id }]))).content).toBe(`Added <@${t.bob.user.id}>.`);
    expect((await channel(t, threadId)).threadMembers).toContain(t.bob.user.id);
    expect((await sendDeferred(cmd("remove", [{ name: "user", type: 6, value: t.bob.user.id }]))).content).toBe(`Removed <@${t.bob.user.id}>.`);
    expect((await channel(t, threadId)).threadMembers).not.toContain(t.bob.user.id);
    expect((await sendDeferred(cmd("remove", [{ name: "user", type: 6, value: t.alice.user.id }]))).content).toMatch(/opener cannot be removed/);
  });

  it("/ticket rename renames the thread; outside a ticket thread the command says so", async () => {
    const reply = await sendDeferred(signer.slashCommand("ticket", { subcommand: "rename", options: [{ name: "name", type: 3, value: "nas-outage" }], guildId: t.guildId, channelId: threadId, member: t.carol }));
    expect(reply.content).toContain("nas-outage");
    expect((await channel(t, threadId)).name).toBe("nas-outage");
    const elsewhere = await sendDeferred(signer.slashCommand("ticket", { subcommand: "claim", guildId: t.guildId, channelId: t.supportChannelId, member: t.carol }));
    expect(elsewhere.content).toMatch(/inside a ticket thread/);
  });

  it("gateway messages move last activity; only a staff member's message counts as the first response", async () => {
    const before = await ticketRow(ticketId);
    const message = (authorId: string, at: Date) => handleGatewayEvent(bindings, { kind: "message.created", id: snowflake(), guildId: t.guildId, channelId: threadId, authorId, bot: false, at: at.toISOString() });
    const bobAt = new Date(Date.now() - 1000);
    await message(t.bob.user.id, bobAt);
    const afterBob = await ticketRow(ticketId);
    expect(afterBob?.lastActivityAt.getTime()).toBeGreaterThanOrEqual(before?.lastActivityAt.getTime() ?? 0);
    expect(afterBob?.firstStaffResponseAt).toBeNull();
    const carolAt = new Date();
    await message(t.carol.user.id, carolAt);
    expect((await ticketRow(ticketId))?.firstStaffResponseAt?.getTime()).toBe(carolAt.getTime());
  });
});

describe("closing", () => {
  it("close with reason: transcript from every page, log summary, thread archived and locked, rating DM", async () => {
    await api(t, "/settings", t.lab.owner, json({ logChannelId: t.logChannelId }, "PATCH"));
    await postAs(threadId, t.alice, "hello", { count: 230 });
    await postAs(threadId, t.alice, "<script>alert('x')</script>", { attachments: [{ filename: "log.txt", url: "https://cdn.discordapp.com/attachments/1/2/log.txt" }] });
    // Discord's markup, as a member types it: in the transcript it must read as the client shows it, not as ids.
    await postAs(threadId, t.alice, `<@${t.carol.user.id}> or <@&${t.staffRoleId}>, see <#${t.logChannelId}> <:blobwave:123456789012345678>`);

    const modal = await send(signer.component(`tk.closewhy:${ticketId}`, { guildId: t.guildId, channelId: threadId, member: t.carol }));
    expect(modal).toMatchObject({ type: 9, data: { custom_id: `tk.closereason:${ticketId}` } });
    const reply = await sendDeferred(signer.modalSubmit(`tk.closereason:${ticketId}`, { reason: "Fixed the NAS" }, { guildId: t.guildId, channelId: threadId, member: t.carol }));
    expect(reply.content).toBe("Ticket #1 is closed.");

    const row = await ticketRow(ticketId);
    expect(row).toMatchObject({ status: "closed", closeReason: "Fixed the NAS", closedById: t.carol.user.id, transcriptTruncated: false });
    expect(row?.closeFinishedAt).not.toBeNull();
    const thread = await channel(t, threadId);
    expect(thread.thread_metadata).toMatchObject({ archived: true, locked: true });
    // Every message of the thread (three pages of 100), oldest first, the closing notice included.
    expect(row?.transcriptCount).toBe(thread.messages.length);
    expect(thread.messages.length).toBeGreaterThan(200);
    const stored = await withDb((db) => db.select().from(ticketMessages).where(eq(ticketMessages.ticketId, ticketId)).orderBy(ticketMessages.sentAt, ticketMessages.messageId));
    expect(stored.map((m) => m.messageId)).toEqual(thread.messages.map((m) => m.id));
    expect(stored.find((m) => m.content.includes("<script>"))?.attachments).toEqual([{ filename: "log.txt", url: "https://cdn.discordapp.com/attachments/1/2/log.txt" }]);

    const log = (await channel(t, t.logChannelId)).messages;
    expect(log).toHaveLength(1);
    expect(JSON.stringify(log[0]?.embeds)).toContain("Fixed the NAS");
    expect(log[0]?.embeds).toMatchObject([{ title: "Ticket #1 closed: My NAS is down", url: `http://localhost/discord/${t.guildId}/tickets/${ticketId}` }]);
    // The transcript itself, as an HTML file on the log message: every stored message in it, escaped.
    expect(log[0]?.attachments).toMatchObject([{ filename: "transcript-1.html", content_type: "text/html; charset=utf-8" }]);
    const [file] = log[0]?.uploads ?? [];
    expect(file?.filename).toBe("transcript-1.html");
    expect(file?.size).toBe(new TextEncoder().encode(file?.content ?? "").byteLength);
    expect(file?.content).toContain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    expect(file?.content).not.toContain("<script>alert");
    expect(file?.content).toContain("log.txt");
    expect(file?.content).toContain("Fixed the NAS");
    expect(file?.content.match(/hello/g)?.length).toBe(230);
    expect(stored.find((m) => m.content.includes("blobwave"))?.content).toBe("@carol or @Support staff, see #ticket-log :blobwave:");
    expect(file?.content).toContain("@carol or @Support staff, see #ticket-log :blobwave:");
    expect(JSON.stringify(log[0]?.embeds)).toContain("attached as transcript-1.html");

    const dm = (await dmsOf(t.alice.user.id)).at(-1);
    expect(customIds(dm)).toEqual([1, 2, 3, 4, 5].map((n) => `tk.rate:${ticketId}:${n}`));
  });

  it("the opener rates from the DM; nobody else can", async () => {
    const other = await sendDeferred(signer.component(`tk.rate:${ticketId}:1`, { guildId: null, member: t.bob }), 6);
    expect(other.content).toMatch(/Only the person who opened/);
    const edited = await sendDeferred(signer.component(`tk.rate:${ticketId}:4`, { guildId: null, member: t.alice }), 6);
    expect(edited.embeds).toMatchObject([{ title: "Thanks for your rating!" }]);
    expect(edited.components).toEqual([]);
    expect((await ticketRow(ticketId))?.rating).toBe(4);
  });

  it("a close request is answered by the opener only: keep open, then close", async () => {
    const { payload } = await openThroughForm(t.alice, { q0: "VPN flaky", q1: "" });
    const [row] = await withDb((db) => db.select().from(tickets).where(eq(tickets.openInteractionId, String(payload.id))));
    const thread = row?.threadId ?? "";
    const asked = await sendDeferred(signer.slashCommand("ticket", { subcommand: "closerequest", options: [{ name: "reason", type: 3, value: "VPN works again" }], guildId: t.guildId, channelId: thread, member: t.carol }));
    expect(asked.content).toBe("Asked the opener to confirm.");
    const request = (await channel(t, thread)).messages.at(-1);
    expect(request?.content).toBe(`<@${t.alice.user.id}>`);
    const [yes, no] = customIds(request);
    expect(yes).toBe(`tk.creq:${row?.id}:y:${t.alice.user.id}`);

    expect(await send(signer.component(yes ?? "", { guildId: t.guildId, channelId: thread, member: t.carol }))).toMatchObject({ type: 4, data: { flags: 64, content: expect.stringMatching(/Only the person who opened/) } });
    expect(await send(signer.component(no ?? "", { guildId: t.guildId, channelId: thread, member: t.alice }))).toMatchObject({ type: 7, data: { components: [] } });
    expect((await ticketRow(row?.id ?? ""))?.status).toBe("open");

    const closed = await sendDeferred(signer.component(yes ?? "", { guildId: t.guildId, channelId: thread, member: t.alice }), 6);
    expect(closed.embeds).toMatchObject([{ title: "Closed by the opener" }]);
    expect(await ticketRow(row?.id ?? "")).toMatchObject({ status: "closed", closeReason: "Resolved (confirmed by the opener)", closedById: t.alice.user.id });
  });

  it("auto-close: the guild's TicketTimers alarm closes a ticket idle past the limit", async () => {
    const res = await api(t, "/settings", t.lab.owner, json({ autoCloseHours: 1 }, "PATCH"));
    expect(res.status).toBe(200);
    const { payload } = await openThroughForm(t.alice, { q0: "Idle one", q1: "" });
    const [row] = await withDb((db) => db.select().from(tickets).where(eq(tickets.openInteractionId, String(payload.id))));
    const timers = getTicketTimersByName(bindings.TICKET_TIMERS, t.guildId);
    const pending = await timers.pending();
    expect(pending.find((p) => p.ticketId === row?.id)?.dueAt).toBe((row?.lastActivityAt.getTime() ?? 0) + 3600_000);

    // The object's clock moves 61 minutes on; its alarm runs now instead of in an hour.
    await runInDurableObject(timers, (_obj, state) => state.storage.kv.put(TIMERS_CLOCK_OFFSET_KEY, 61 * 60_000));
    expect(await runDurableObjectAlarm(timers)).toBe(true);
    const after = await ticketRow(row?.id ?? "");
    expect(after).toMatchObject({ status: "closed", closeReason: "No activity for 1 hour", closedByName: "Nebula (auto-close)", closedById: null });
    expect((await channel(t, row?.threadId ?? "")).thread_metadata).toMatchObject({ archived: true, locked: true });
    expect((await timers.pending()).find((p) => p.ticketId === row?.id)).toBeUndefined();
  });
});

describe("support hours", () => {
  let hours: TicketGuild;
  let hoursPanel: PanelSetup;
  beforeAll(async () => {
    hours = await seedTicketGuild("Hours Lab");
    hoursPanel = await createPanel(hours);
  });
  const setHours = async (windows: { day: number; start: string; end: string }[]) => {
    const res = await api(hours, "/settings", hours.lab.owner, json({ supportHours: { timeZone: "UTC", windows } }, "PATCH"));
    expect(res.status, await res.clone().text()).toBe(200);
  };
  const open = async (member: TicketGuild["alice"]) => {
    const payload = signer.modalSubmit(`tk.form:${hoursPanel.categoryIds[0]}`, { q0: "The router is down", q1: "" }, { guildId: hours.guildId, channelId: hours.supportChannelId, member });
    const reply = await sendDeferred(payload, 5, 64);
    const [row] = await withDb((db) => db.select().from(tickets).where(eq(tickets.openInteractionId, String(payload.id))));
    const welcome = (await channel(hours, row?.threadId ?? "")).messages[0];
    return { reply, welcome: String((welcome?.embeds as { description?: string }[] | undefined)?.[0]?.description) };
  };

  it("outside support hours the ticket still opens, and the opener and the thread are told when staff are back", async () => {
    // One window, two days ahead (UTC): whenever the run happens, now is outside it and the window is the next one.
    const now = new Date();
    const backAt = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 2, 9, 0) / 1000;
    await setHours([{ day: new Date(backAt * 1000).getUTCDay(), start: "09:00", end: "17:00" }]);
    const { reply, welcome } = await open(hours.alice);
    expect(reply.content).toMatch(/^Your ticket #\d+ is open: <#\d+>\./);
    expect(reply.content).toContain(`Our team is away right now; they are back <t:${backAt}:R>.`);
    expect(welcome).toContain(`Staff are back <t:${backAt}:F> (<t:${backAt}:R>); your ticket is open and they will see it then.`);
  });

  it("inside support hours there is no away notice", async () => {
    await setHours(Array.from({ length: 7 }, (_, day) => ({ day, start: "00:00", end: "24:00" })));
    const { reply, welcome } = await open(hours.bob);
    expect(reply.content).toMatch(/^Your ticket #\d+ is open: <#\d+>\.$/);
    expect(welcome).not.toContain("Staff are back");
  });
});
