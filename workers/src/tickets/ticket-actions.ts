// What staff do inside a ticket (claim, add or remove a member, rename, ask the opener to close) and the opener's
// rating after close. Each speaks in the ticket's thread or channel so everyone there sees what happened; each is
// safe to repeat. Membership is the one thing that differs by kind (ticket-channel.ts).
import { tickets } from "@nebula/schema";
import { and, eq, isNull, or } from "drizzle-orm";
import { recordAudit } from "../audit/audit.ts";
import { AppError, upstreamStatus } from "../errors/app-error.ts";
import { encodeCustomId } from "../interactions/custom-id.ts";
import { InteractionError } from "../interactions/guards.ts";
import { sendMessage } from "./close-ticket.ts";
import { ticketButtons } from "./open-ticket.ts";
import { grantTicketMember, revokeTicketMember } from "./ticket-channel.ts";
import { PREFIX } from "./ticket-config.ts";
import type { TicketActor, TicketDeps } from "./ticket-deps.ts";
import type { TicketRow } from "./ticket-rows.ts";

function requireOpen(ticket: TicketRow): string {
  if (ticket.status !== "open" || !ticket.threadId) throw new InteractionError(`Ticket #${ticket.number} is closed.`);
  return ticket.threadId;
}

const audit = (deps: TicketDeps, actor: TicketActor, ticket: TicketRow, action: string, details: Record<string, unknown> = {}) =>
  recordAudit(deps.db, { id: actor.auditId, name: actor.name }, { tenantId: ticket.tenantId, action, targetType: "ticket", targetId: ticket.id, details: { number: ticket.number, ...details } }, actor.requestId);

export async function claimTicket(deps: TicketDeps, ticket: TicketRow, actor: TicketActor & { discordId: string }): Promise<TicketRow> {
  const threadId = requireOpen(ticket);
  const [claimed] = await deps.db
    .update(tickets)
    .set({ claimedById: actor.discordId, claimedByName: actor.name, updatedAt: deps.now() })
    .where(and(eq(tickets.id, ticket.id), or(isNull(tickets.claimedById), eq(tickets.claimedById, actor.discordId))))
    .returning();
  if (!claimed) throw new InteractionError(`Ticket #${ticket.number} is already claimed by ${ticket.claimedByName ?? "someone else"}.`);
  if (ticket.claimedById === actor.discordId) return claimed;
  // A claimer with Manage Server but none of the staff roles cannot see a channel ticket until they get an overwrite.
  await grantTicketMember(deps, ticket, actor.discordId);
  await sendMessage(deps, threadId, { content: `🙋 <@${actor.discordId}> claimed this ticket and will help you.` }, `claim${ticket.id.slice(4)}`);
  if (ticket.welcomeMessageId) {
    await deps.rest
      .request({ method: "PATCH", path: `/channels/${threadId}/messages/${ticket.welcomeMessageId}`, auth: "bot", body: { components: ticketButtons(ticket.id, true) }, idempotent: true })
      .catch((err: unknown) => deps.logger.warn("could not mark the ticket's buttons claimed", { err }));
  }
  await audit(deps, actor, ticket, "tickets.claim");
  return claimed;
}

export async function addMember(deps: TicketDeps, ticket: TicketRow, userId: string, actor: TicketActor): Promise<void> {
  const threadId = requireOpen(ticket);
  try {
    await grantTicketMember(deps, ticket, userId);
  } catch (err) {
    if (upstreamStatus(err) === 404 || upstreamStatus(err) === 403) throw new InteractionError("That member could not be added (are they in this server and able to see the channel?).");
    throw err;
  }
  await sendMessage(deps, threadId, { content: `➕ <@${userId}> was added by ${actor.name}.`, allowed_mentions: { parse: [], users: [userId] } });
  await audit(deps, actor, ticket, "tickets.member.add", { userId });
}

export async function removeMember(deps: TicketDeps, ticket: TicketRow, userId: string, actor: TicketActor): Promise<void> {
  const threadId = requireOpen(ticket);
  if (userId === ticket.openerId) throw new InteractionError("The opener cannot be removed from their own ticket; close it instead.");
  await revokeTicketMember(deps, ticket, userId).catch((err: unknown) => {
    if (upstreamStatus(err) !== 404) throw err;
  });
  await sendMessage(deps, threadId, { content: `➖ <@${userId}> was removed by ${actor.name}.` });
  await audit(deps, actor, ticket, "tickets.member.remove", { userId });
}

export async function renameTicket(deps: TicketDeps, ticket: TicketRow, name: string, actor: TicketActor): Promise<string> {
  const threadId = requireOpen(ticket);
  const clean = name.trim().slice(0, 100);
  if (!clean) throw new InteractionError("Give the ticket a name.");
  try {
    await deps.rest.request({ method: "PATCH", path: `/channels/${threadId}`, auth: "bot", body: { name: clean }, idempotent: true });
  } catch (err) {
    // Discord: a channel's name may change twice per 10 minutes; the client gives up rather than wait that long.
    if (err instanceof AppError && err.code === "RATE_LIMITED") throw new InteractionError("Discord allows renaming a channel twice every 10 minutes. Try again a bit later.");
    throw err;
  }
  await audit(deps, actor, ticket, "tickets.rename", { name: clean });
  return clean;
}

export async function requestClose(deps: TicketDeps, ticket: TicketRow, reason: string | null, actor: TicketActor): Promise<void> {
  const threadId = requireOpen(ticket);
  const why = reason?.trim().slice(0, 500);
  await sendMessage(deps, threadId, {
    content: `<@${ticket.openerId}>`,
    allowed_mentions: { parse: [], users: [ticket.openerId] },
    embeds: [{ title: "Can we close this ticket?", description: `${actor.name} thinks your request is resolved.${why ? `\nReason: ${why}` : ""}\nIf it is, close the ticket; if not, keep it open and tell us what is missing.`.slice(0, 4096), color: 0xfee75c }],
    components: [
      {
        type: 1,
        components: [
          // The opener's id rides in the custom_id so a click by anyone else is refused on the fast path.
          { type: 2, style: 4, label: "Close ticket", custom_id: encodeCustomId(PREFIX.closeRequest, ticket.id, "y", ticket.openerId) },
          { type: 2, style: 2, label: "Keep open", custom_id: encodeCustomId(PREFIX.closeRequest, ticket.id, "n", ticket.openerId) },
        ],
      },
    ],
  });
  await audit(deps, actor, ticket, "tickets.close_request", { reason: why ?? null });
}

export async function rateTicket(deps: TicketDeps, ticketId: string, raterId: string, rating: number): Promise<TicketRow> {
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) throw new InteractionError("Ratings go from 1 to 5.");
  const [row] = await deps.db
    .update(tickets)
    .set({ rating, updatedAt: deps.now() })
    .where(and(eq(tickets.id, ticketId), eq(tickets.openerId, raterId), eq(tickets.status, "closed")))
    .returning();
  if (!row) throw new InteractionError("Only the person who opened this ticket can rate it, once it is closed.");
  return row;
}
