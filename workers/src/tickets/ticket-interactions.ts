// The ticket flow in Discord: panel button or select → the category's form (a modal, answered on the fast path from
// the cached category: Discord wants the modal as the first response, within 3 s) → submit opens the ticket (run
// path, Postgres); Claim / Close / Close with reason buttons in the ticket's thread or channel; the close request
// the opener answers; the rating buttons in the DM; and /ticket add|remove|rename|close|closerequest|claim typed
// inside a ticket.
import { discordWire } from "@nebula/schema";
import type { ComponentContext, RunContext, WithServices } from "../interactions/context.ts";
import { encodeCustomId } from "../interactions/custom-id.ts";
import { InteractionError } from "../interactions/guards.ts";
import { defineCommand, defineComponent, defineInteractionModule, defineModal } from "../interactions/registry.ts";
import type { InteractionResponse, MessageReply } from "../interactions/replies.ts";
import { closeTicket } from "./close-ticket.ts";
import { openTicket } from "./open-ticket.ts";
import { addMember, claimTicket, rateTicket, removeMember, renameTicket, requestClose } from "./ticket-actions.ts";
import { cachedCategory } from "./ticket-cache.ts";
import { PREFIX, loadCategory } from "./ticket-config.ts";
import { discordActor, ticketDeps } from "./ticket-deps.ts";
import { type TicketRow, isStaffMember, staffRolesOf, ticketById, ticketByThread } from "./ticket-rows.ts";

const { ApplicationCommandOptionType: O } = discordWire;

type AnyRunContext = RunContext<{ guildId: string | null; user: discordWire.DiscordUserWire; member: discordWire.InteractionMember | null; requestId: string }>;

/** The category's form, or a deferral when the cache does not know the category (or it asks nothing). */
async function formOrDefer(ctx: WithServices<ComponentContext>, categoryId: string | undefined): Promise<InteractionResponse> {
  if (!ctx.guildId) throw new InteractionError("Tickets work only inside a server.");
  if (!categoryId) throw new InteractionError("Pick a category.");
  const category = await cachedCategory(ctx.services.cache, categoryId);
  if (category && category.guildId !== ctx.guildId) throw new InteractionError("This ticket category belongs to another server.");
  if (!category || category.questions.length === 0) return ctx.defer({ ephemeral: true });
  return ctx.showModal({
    customId: encodeCustomId(PREFIX.form, category.id),
    title: `Open a ticket: ${category.name}`,
    inputs: category.questions.slice(0, 5).map((q, i) => ({
      customId: `q${i}`,
      label: q.label,
      style: q.style === "short" ? 1 : 2,
      required: q.required,
      ...(q.placeholder ? { placeholder: q.placeholder } : {}),
      ...(q.maxLength ? { maxLength: q.maxLength } : {}),
    })),
  });
}

function openedReply(result: Awaited<ReturnType<typeof openTicket>>): MessageReply {
  if (result.kind === "limit") {
    const where = result.open.map((t) => (t.threadId ? `<#${t.threadId}>` : `#${t.number}`)).join(", ");
    return { content: `You already have ${result.open.length} open ticket${result.open.length === 1 ? "" : "s"} here (the limit is ${result.limit}): ${where}. Close one before opening another.` };
  }
  const back = result.backAt ? ` Our team is away right now; they are back <t:${Math.floor(result.backAt.getTime() / 1000)}:R>.` : "";
  return { content: `Your ticket #${result.ticket.number} is open: <#${result.ticket.threadId}>.${back}` };
}

/** Opens from a panel click whose form was not in the cache, or whose category asks no questions. */
async function openFromPanel(ctx: RunContext<ComponentContext>, categoryId: string | undefined): Promise<MessageReply> {
  const deps = ticketDeps(ctx.services);
  const category = categoryId ? await loadCategory(deps, categoryId) : null;
  if (!category || category.guildId !== ctx.guildId) throw new InteractionError("This ticket category no longer exists. Ask the staff to post the panel again.");
  // loadCategory warmed the cache: the next click gets the form at once.
  if (category.questions.length > 0) return { content: "This panel was just refreshed. Click the button again to fill in the form." };
  return openedReply(await openTicket(deps, { interactionId: ctx.id, guildId: ctx.guildId ?? "", categoryId: category.id, opener: { ...discordActor(ctx.user, ctx.requestId), discordId: ctx.user.id }, fields: {} }));
}

/** The ticket a button or command acts on, in this server. */
async function ticketFor(ctx: AnyRunContext, ticket: TicketRow | null): Promise<TicketRow> {
  if (!ticket || ticket.guildId !== ctx.guildId) throw new InteractionError("Use this inside a ticket thread or ticket channel.");
  return ticket;
}

async function requireStaff(ctx: AnyRunContext, ticket: TicketRow, allowOpener = false): Promise<void> {
  if (allowOpener && ctx.user.id === ticket.openerId) return;
  if (!isStaffMember(ctx.member, await staffRolesOf(ctx.services.db, ticket))) {
    throw new InteractionError(allowOpener ? "Only staff or the ticket's opener can do this." : "Only this ticket's staff can do this.");
  }
}

async function close(ctx: AnyRunContext, ticket: TicketRow, reason: string | null): Promise<MessageReply> {
  await requireStaff(ctx, ticket, true);
  const outcome = await closeTicket(ticketDeps(ctx.services), ticket, { reason, actor: discordActor(ctx.user, ctx.requestId) });
  return { content: outcome.alreadyClosed ? `Ticket #${ticket.number} was already closed.` : `Ticket #${ticket.number} is closed.` };
}

const panelButton = defineComponent({
  prefix: PREFIX.open,
  ephemeral: true,
  respond: (ctx) => formOrDefer(ctx, ctx.args[0]),
  run: (ctx) => openFromPanel(ctx, ctx.args[0]),
});

const panelSelect = defineComponent({
  prefix: PREFIX.pick,
  ephemeral: true,
  respond: (ctx) => formOrDefer(ctx, ctx.values[0]),
  run: (ctx) => openFromPanel(ctx, ctx.values[0]),
});

const ticketForm = defineModal({
  prefix: PREFIX.form,
  ephemeral: true,
  async run(ctx) {
    if (!ctx.guildId) throw new InteractionError("Tickets work only inside a server.");
    const result = await openTicket(ticketDeps(ctx.services), {
      interactionId: ctx.id,
      guildId: ctx.guildId,
      categoryId: ctx.args[0] ?? "",
      opener: { ...discordActor(ctx.user, ctx.requestId), discordId: ctx.user.id },
      fields: ctx.fields,
    });
    return openedReply(result);
  },
});

const claimButton = defineComponent({
  prefix: PREFIX.claim,
  ephemeral: true,
  respond: (ctx) => ctx.defer({ ephemeral: true }),
  async run(ctx) {
    const ticket = await ticketFor(ctx, await ticketById(ctx.services.db, ctx.args[0] ?? ""));
    await requireStaff(ctx, ticket);
    await claimTicket(ticketDeps(ctx.services), ticket, { ...discordActor(ctx.user, ctx.requestId), discordId: ctx.user.id });
    return { content: `You claimed ticket #${ticket.number}.` };
  },
});

const closeButton = defineComponent({
  prefix: PREFIX.close,
  ephemeral: true,
  respond: (ctx) => ctx.defer({ ephemeral: true }),
  run: async (ctx) => close(ctx, await ticketFor(ctx, await ticketById(ctx.services.db, ctx.args[0] ?? "")), null),
});

const closeWithReasonButton = defineComponent({
  prefix: PREFIX.closeWhy,
  respond: (ctx) =>
    ctx.showModal({
      customId: encodeCustomId(PREFIX.closeReason, ctx.args[0] ?? ""),
      title: "Close the ticket",
      inputs: [{ customId: "reason", label: "Reason", style: 2, required: true, maxLength: 500, placeholder: "Shown to the opener and in the log" }],
    }),
});

const closeReasonForm = defineModal({
  prefix: PREFIX.closeReason,
  ephemeral: true,
  run: async (ctx) => close(ctx, await ticketFor(ctx, await ticketById(ctx.services.db, ctx.args[0] ?? "")), ctx.field("reason")),
});

/** args: ticket id, "y" | "n", the opener's id (only they may answer). */
const closeRequestAnswer = defineComponent({
  prefix: PREFIX.closeRequest,
  respond(ctx) {
    if (ctx.user.id !== ctx.args[2]) throw new InteractionError("Only the person who opened this ticket can answer.");
    if (ctx.args[1] === "y") return ctx.defer({ update: true });
    return ctx.update({ embeds: [{ title: "The ticket stays open", description: `<@${ctx.user.id}> still needs help.`, color: 0x57f287 }], components: [] });
  },
  async run(ctx) {
    const ticket = await ticketFor(ctx, await ticketById(ctx.services.db, ctx.args[0] ?? ""));
    await closeTicket(ticketDeps(ctx.services), ticket, { reason: "Resolved (confirmed by the opener)", actor: discordActor(ctx.user, ctx.requestId) });
    return { embeds: [{ title: "Closed by the opener", description: "Thanks for confirming.", color: 0xed4245 }], components: [] };
  },
});

/** In the opener's DMs (no guild): args ticket id, 1-5. */
const ratingButton = defineComponent({
  prefix: PREFIX.rate,
  deferAs: "update",
  async run(ctx) {
    const rating = Number(ctx.args[1]);
    const ticket = await rateTicket(ticketDeps(ctx.services), ctx.args[0] ?? "", ctx.user.id, rating);
    return { embeds: [{ title: "Thanks for your rating!", description: `You rated ticket #${ticket.number} ${"★".repeat(rating)}${"☆".repeat(5 - rating)} (${rating}/5).`, color: 0x57f287 }], components: [] };
  },
});

const USER_OPTION = { type: O.USER, name: "user", description: "The member", required: true };

export const ticketCommand = defineCommand({
  name: "ticket",
  description: "Manage the ticket of this thread or channel",
  scope: "global",
  // Discord: contexts [0] = usable in servers only.
  definition: { contexts: [0] },
  options: [
    { type: O.SUB_COMMAND, name: "add", description: "Add a member to this ticket", options: [USER_OPTION] },
    { type: O.SUB_COMMAND, name: "remove", description: "Remove a member from this ticket", options: [USER_OPTION] },
    { type: O.SUB_COMMAND, name: "rename", description: "Rename this ticket's thread or channel", options: [{ type: O.STRING, name: "name", description: "The new name", required: true, max_length: 100 }] },
    { type: O.SUB_COMMAND, name: "close", description: "Close this ticket", options: [{ type: O.STRING, name: "reason", description: "Why it is closed", max_length: 500 }] },
    { type: O.SUB_COMMAND, name: "closerequest", description: "Ask the opener whether the ticket can be closed", options: [{ type: O.STRING, name: "reason", description: "Why you think it is done", max_length: 500 }] },
    { type: O.SUB_COMMAND, name: "claim", description: "Claim this ticket" },
  ],
  ephemeral: true,
  respond(ctx) {
    if (!ctx.guildId) throw new InteractionError("Tickets work only inside a server.");
    return ctx.defer({ ephemeral: true });
  },
  async run(ctx) {
    const ticket = await ticketFor(ctx, ctx.channelId ? await ticketByThread(ctx.services.db, ctx.channelId) : null);
    const deps = ticketDeps(ctx.services);
    const actor = discordActor(ctx.user, ctx.requestId);
    if (ctx.subcommand === "close") return close(ctx, ticket, ctx.options.string("reason"));
    await requireStaff(ctx, ticket);
    switch (ctx.subcommand) {
      case "add": {
        const userId = ctx.options.id("user") ?? "";
        await addMember(deps, ticket, userId, actor);
        return { content: `Added <@${userId}>.` };
      }
      case "remove": {
        const userId = ctx.options.id("user") ?? "";
        await removeMember(deps, ticket, userId, actor);
        return { content: `Removed <@${userId}>.` };
      }
      case "rename":
        return { content: `Renamed to **${await renameTicket(deps, ticket, ctx.options.string("name") ?? "", actor)}**.` };
      case "closerequest":
        await requestClose(deps, ticket, ctx.options.string("reason"), actor);
        return { content: "Asked the opener to confirm." };
      case "claim":
        await claimTicket(deps, ticket, { ...actor, discordId: ctx.user.id });
        return { content: `You claimed ticket #${ticket.number}.` };
      default:
        throw new InteractionError("Unknown subcommand.");
    }
  },
});

export const ticketsModule = defineInteractionModule({
  name: "tickets",
  commands: [ticketCommand],
  components: [panelButton, panelSelect, claimButton, closeButton, closeWithReasonButton, closeRequestAnswer, ratingButton],
  modals: [ticketForm, closeReasonForm],
});
