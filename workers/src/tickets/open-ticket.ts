// Opening a ticket from a submitted form: the per-user limit and the guild's next number under one row lock (so two
// quick submits cannot both pass the limit or share a number), the ticket row keyed on the interaction id (a queue
// redelivery finds it and resumes), then the ticket's place in Discord (a private thread under the panel's channel
// with staff roles mentioned in, or for a "channel" panel a text channel only the opener, staff and the bot can see)
// with the opener in it, and a first message with the answers and the Claim / Close / Close with reason buttons.
import { type TicketAnswer, ticketCategories, ticketPanels, ticketSettings, tickets } from "@nebula/schema";
import { newId } from "@nebula/schema";
import { and, count, eq, isNull } from "drizzle-orm";
import { recordAudit } from "../audit/audit.ts";
import { findLinkedGuild } from "../discord-guilds/guilds.ts";
import { encodeCustomId } from "../interactions/custom-id.ts";
import { InteractionError } from "../interactions/guards.ts";
import { sendMessage } from "./close-ticket.ts";
import { supportStatus } from "./support-hours.ts";
import { createTicketChannel, grantTicketMember } from "./ticket-channel.ts";
import { rememberTicketThread } from "./ticket-cache.ts";
import { type CategoryRow, PREFIX, ensureSettings } from "./ticket-config.ts";
import type { TicketActor, TicketDeps } from "./ticket-deps.ts";
import type { TicketRow } from "./ticket-rows.ts";
import { scheduleAutoClose } from "./auto-close-timers.ts";

export interface OpenTicketInput {
  interactionId: string;
  guildId: string;
  categoryId: string;
  opener: TicketActor & { discordId: string };
  /** Modal fields by custom_id (q0…q4, in question order). */
  fields: Record<string, string>;
}

export type OpenTicketResult = { kind: "opened"; ticket: TicketRow; backAt: Date | null } | { kind: "limit"; limit: number; open: TicketRow[] };

export function answersOf(category: Pick<CategoryRow, "questions">, fields: Record<string, string>): TicketAnswer[] {
  return category.questions.map((q, i) => ({ question: q.label, answer: (fields[`q${i}`] ?? "").slice(0, 4000) }));
}

function subjectOf(category: Pick<CategoryRow, "name">, answers: TicketAnswer[]): string {
  const first = answers.find((a) => a.answer.trim())?.answer.trim().split("\n")[0] ?? "";
  return (first || category.name).slice(0, 100);
}

export function ticketButtons(ticketId: string, claimed: boolean): Record<string, unknown>[] {
  return [
    {
      type: 1,
      components: [
        { type: 2, style: 3, label: claimed ? "Claimed" : "Claim", emoji: { name: "🙋" }, custom_id: encodeCustomId(PREFIX.claim, ticketId), ...(claimed ? { disabled: true } : {}) },
        { type: 2, style: 4, label: "Close", emoji: { name: "🔒" }, custom_id: encodeCustomId(PREFIX.close, ticketId) },
        { type: 2, style: 2, label: "Close with reason", emoji: { name: "📝" }, custom_id: encodeCustomId(PREFIX.closeWhy, ticketId) },
      ],
    },
  ];
}

export function welcomeMessage(ticket: TicketRow, staffRoleIds: string[], backAt: Date | null): Record<string, unknown> {
  const away = backAt
    ? `\n\n🌙 Our team is away right now. Staff are back <t:${Math.floor(backAt.getTime() / 1000)}:F> (<t:${Math.floor(backAt.getTime() / 1000)}:R>); your ticket is open and they will see it then.`
    : "";
  return {
    content: [`<@${ticket.openerId}>`, ...staffRoleIds.map((r) => `<@&${r}>`)].join(" "),
    // Discord: mentioning a role in a private thread adds that role's members who can see the channel; only the
    // opener and the category's staff roles may be pinged, never @everyone.
    allowed_mentions: { parse: [], users: [ticket.openerId], roles: staffRoleIds },
    embeds: [
      {
        title: `Ticket #${ticket.number} · ${ticket.categoryName}`.slice(0, 256),
        description: `Thanks for reaching out, ${ticket.openerName}. Staff will be with you soon.${away}`.slice(0, 4096),
        color: 0x5865f2,
        fields: ticket.answers.filter((a) => a.answer.trim()).slice(0, 25).map((a) => ({ name: a.question.slice(0, 256), value: a.answer.slice(0, 1024) })),
      },
    ],
    components: ticketButtons(ticket.id, !!ticket.claimedById),
  };
}

export async function openTicket(deps: TicketDeps, input: OpenTicketInput): Promise<OpenTicketResult> {
  const link = await findLinkedGuild(deps.db, input.guildId);
  if (!link) throw new InteractionError("This server is not linked to Nebula any more, so tickets cannot be opened.");
  const [category] = await deps.db.select().from(ticketCategories).where(and(eq(ticketCategories.id, input.categoryId), eq(ticketCategories.guildId, input.guildId), eq(ticketCategories.tenantId, link.tenantId))).limit(1);
  if (!category) throw new InteractionError("This ticket category no longer exists. Ask the staff to post the panel again.");
  const [panel] = await deps.db.select().from(ticketPanels).where(eq(ticketPanels.id, category.panelId)).limit(1);
  if (!panel) throw new InteractionError("This ticket panel no longer exists.");
  const byInteraction = () => deps.db.select().from(tickets).where(eq(tickets.openInteractionId, input.interactionId)).limit(1);

  let [ticket] = await byInteraction();
  if (!ticket) {
    await ensureSettings(deps.db, link.tenantId, input.guildId);
    const refused = await deps.db.transaction(async (tx) => {
      // The guild's settings row is the lock: opens in one guild take turns, so the limit and numbering hold.
      const [settings] = await tx.select().from(ticketSettings).where(eq(ticketSettings.guildId, input.guildId)).for("update");
      if (!settings) throw new Error("ticket settings vanished");
      const [open] = await tx.select({ n: count() }).from(tickets).where(and(eq(tickets.guildId, input.guildId), eq(tickets.openerId, input.opener.discordId), eq(tickets.status, "open")));
      if ((open?.n ?? 0) >= settings.perUserLimit) return settings.perUserLimit;
      const answers = answersOf(category, input.fields);
      await tx.update(ticketSettings).set({ nextNumber: settings.nextNumber + 1 }).where(eq(ticketSettings.guildId, input.guildId));
      const now = deps.now();
      await tx
        .insert(tickets)
        .values({
          id: newId("ticket"),
          tenantId: link.tenantId,
          guildId: input.guildId,
          number: settings.nextNumber,
          categoryId: category.id,
          categoryName: category.name,
          openerId: input.opener.discordId,
          openerName: input.opener.name,
          subject: subjectOf(category, answers),
          answers,
          openedAt: now,
          lastActivityAt: now,
          openInteractionId: input.interactionId,
          kind: panel.ticketKind,
        })
        .onConflictDoNothing({ target: tickets.openInteractionId });
      return null;
    });
    if (refused !== null) {
      const open = await deps.db.select().from(tickets).where(and(eq(tickets.guildId, input.guildId), eq(tickets.openerId, input.opener.discordId), eq(tickets.status, "open")));
      return { kind: "limit", limit: refused, open };
    }
    [ticket] = await byInteraction();
    if (!ticket) throw new Error("ticket row missing after insert");
    await recordAudit(deps.db, { id: input.opener.auditId, name: input.opener.name }, { tenantId: link.tenantId, action: "tickets.open", targetType: "ticket", targetId: ticket.id, details: { number: ticket.number, category: category.name } }, input.opener.requestId);
  }

  if (!ticket.threadId) {
    const channelId = await createTicketChannel(deps, ticket, panel, input.opener.name, category.staffRoleIds);
    const [updated] = await deps.db.update(tickets).set({ threadId: channelId, updatedAt: deps.now() }).where(and(eq(tickets.id, ticket.id), isNull(tickets.threadId))).returning();
    ticket = updated ?? ticket;
  }
  const threadId = ticket.threadId as string;
  // Again on a resumed open (a queue redelivery): the same membership or overwrite, so repeating it changes nothing.
  await grantTicketMember(deps, ticket, ticket.openerId);

  const [settings] = await deps.db.select().from(ticketSettings).where(eq(ticketSettings.guildId, input.guildId)).limit(1);
  const { backAt } = supportStatus(settings?.supportHours ?? null, deps.now());
  if (!ticket.welcomeMessageId) {
    const sent = await sendMessage(deps, threadId, welcomeMessage(ticket, category.staffRoleIds, backAt), `open${ticket.id.slice(4)}`);
    const [updated] = await deps.db.update(tickets).set({ welcomeMessageId: sent.id }).where(eq(tickets.id, ticket.id)).returning();
    ticket = updated ?? ticket;
  }
  await rememberTicketThread(deps.cache, threadId, ticket.id);
  if (settings?.autoCloseHours) await scheduleAutoClose(input.guildId, [{ ticketId: ticket.id, dueAt: ticket.lastActivityAt.getTime() + settings.autoCloseHours * 3600_000 }]);
  return { kind: "opened", ticket, backAt };
}
