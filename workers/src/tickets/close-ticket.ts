// Closing a ticket, from a button, a command, the close request, the dashboard or the auto-close alarm: a notice in
// the thread or channel, the transcript fetched through REST (oldest first, capped) and stored, the thread archived
// and locked (a channel ticket's channel deleted, only once its transcript is stored), a summary in the log channel
// with the transcript attached as an HTML file (rendered from the stored rows, so a retry sends the same file), and
// the opener asked for a rating by DM. The first closer wins the status change; the side effects are each safe to
// repeat (message creates carry Discord's nonce), and close_finished_at marks them done, so a retried close (queue
// redelivery, alarm retry) resumes instead of stopping half way.
import { guilds, ticketMessages, ticketSettings, tickets } from "@nebula/schema";
import { type MentionNames, needsGuildNames, readableMentions } from "@nebula/schema/wire/discord-mentions";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/audit.ts";
import { channelNames } from "../discord-guilds/channel-names.ts";
import { fetchGuild } from "../discord-guilds/guild-access.ts";
import type { DiscordFile } from "../discord-rest/discord-rest.ts";
import { AppError, upstreamStatus } from "../errors/app-error.ts";
import { encodeCustomId } from "../interactions/custom-id.ts";
import { forgetTicketThread } from "./ticket-cache.ts";
import { retireTicketChannel } from "./ticket-channel.ts";
import { PREFIX } from "./ticket-config.ts";
import type { TicketActor, TicketDeps } from "./ticket-deps.ts";
import { transcriptOf } from "./ticket-queries.ts";
import { type TicketRow, ticketById } from "./ticket-rows.ts";
import { transcriptHtml } from "./transcript-html.ts";

/** Messages kept per transcript; beyond it the newest are kept and the transcript says it was cut. */
export const TRANSCRIPT_CAP = 5000;
/** Discord: GET /channels/{id}/messages returns at most 100 per call, newest first. */
const PAGE = 100;
/**
 * Discord: uploads above 10 MiB per message are refused (413, 40005) in servers without boosts. A bigger transcript
 * is not attached; the summary links to the dashboard's download instead.
 */
export const TRANSCRIPT_FILE_MAX_BYTES = 10 * 1024 * 1024 - 64 * 1024;

const MessageWire = z.looseObject({
  id: z.string(),
  author: z.looseObject({ id: z.string(), username: z.string().default("unknown"), global_name: z.string().nullish(), bot: z.boolean().optional() }),
  content: z.string().default(""),
  mentions: z.array(z.looseObject({ id: z.string(), username: z.string().default("unknown"), global_name: z.string().nullish(), member: z.looseObject({ nick: z.string().nullish() }).nullish() })).default([]),
  embeds: z.array(z.looseObject({ title: z.string().optional(), description: z.string().optional() })).default([]),
  attachments: z.array(z.looseObject({ filename: z.string().default("file"), url: z.string() })).default([]),
  timestamp: z.string(),
});

/** A create Discord de-duplicates itself (nonce + enforce_nonce), so a retry after a timeout cannot post twice. */
export function sendMessage(deps: TicketDeps, channelId: string, body: Record<string, unknown>, nonce?: string, files?: DiscordFile[]): Promise<{ id: string }> {
  return deps.rest.request<{ id: string }>({
    method: "POST",
    path: `/channels/${channelId}/messages`,
    auth: "bot",
    body: { allowed_mentions: { parse: [] }, ...body, ...(nonce ? { nonce: nonce.slice(0, 25), enforce_nonce: true } : {}) },
    ...(files?.length ? { files } : {}),
    idempotent: !!nonce,
  });
}

export const transcriptFileName = (ticket: Pick<TicketRow, "number">) => `transcript-${ticket.number}.html`;

/** The stored transcript as the HTML file the dashboard serves; null when it is too big for a Discord upload. */
export async function transcriptFile(deps: TicketDeps, ticket: TicketRow, guildName: string, truncated: boolean): Promise<DiscordFile | null> {
  const html = transcriptHtml({ ...ticket, guildName, truncated, messages: await transcriptOf(deps.db, ticket.id) });
  const bytes = new TextEncoder().encode(html).byteLength;
  if (bytes > TRANSCRIPT_FILE_MAX_BYTES) {
    deps.logger.warn("ticket transcript too big to attach; the log links to it", { ticketId: ticket.id, bytes });
    return null;
  }
  return { name: transcriptFileName(ticket), contentType: "text/html; charset=utf-8", content: html, description: `Ticket #${ticket.number} transcript`.slice(0, 1024) };
}

/**
 * The names a transcript's mentions stand for, as Discord has them at close: users from the messages themselves (their
 * authors and `mentions`, nickname first, as the client shows them), roles and channels from the guild, fetched only
 * when some message mentions one. Names Discord cannot give now leave those mentions marked unknown.
 */
async function mentionNames(deps: TicketDeps, ticket: TicketRow, messages: readonly z.output<typeof MessageWire>[], embedTexts: readonly string[]): Promise<MentionNames> {
  const users = new Map<string, string>([[ticket.openerId, ticket.openerName]]);
  for (const m of messages) {
    users.set(m.author.id, m.author.global_name || m.author.username);
    for (const u of m.mentions) users.set(u.id, u.member?.nick || u.global_name || u.username);
  }
  const texts = [...messages.map((m) => m.content), ...embedTexts];
  const needs = needsGuildNames(texts);
  const roles = new Map<string, string>();
  const channels = new Map<string, string>();
  if (needs.roles) {
    const guild = await fetchGuild(deps.rest, deps.cache, ticket.guildId).catch((err: unknown) => {
      deps.logger.warn("role names for a transcript unavailable", { ticketId: ticket.id, err });
      return null;
    });
    for (const role of guild?.roles ?? []) roles.set(role.id, role.name);
  }
  if (needs.channelIds.length > 0) {
    const known = await channelNames(deps.rest, deps.cache, deps.logger, needs.channelIds.map((channelId) => ({ guildId: ticket.guildId, channelId })));
    for (const [id, name] of Object.entries(known)) channels.set(id, name);
  }
  return { users, roles, channels };
}

/** Fetches the thread's messages (paginated with `before`), stores them oldest first, and says how many. */
export async function storeTranscript(deps: TicketDeps, ticket: TicketRow, threadId: string): Promise<{ count: number; truncated: boolean }> {
  const collected: z.output<typeof MessageWire>[] = [];
  let before: string | undefined;
  let truncated = false;
  for (;;) {
    const page = z.array(MessageWire).parse(
      await deps.rest.request({ method: "GET", path: `/channels/${threadId}/messages`, auth: "bot", idempotent: true, query: { limit: String(PAGE), ...(before ? { before } : {}) } }),
    );
    collected.push(...page);
    if (page.length < PAGE) break;
    if (collected.length >= TRANSCRIPT_CAP) {
      truncated = true;
      break;
    }
    before = page[page.length - 1]?.id;
  }
  const kept = collected.slice(0, TRANSCRIPT_CAP).reverse();
  const embedText = (m: (typeof kept)[number]) => m.embeds.map((e) => [e.title, e.description].filter(Boolean).join("\n")).filter(Boolean).join("\n\n");
  const names = await mentionNames(deps, ticket, kept, kept.map(embedText));
  const rows = kept
    .map((m) => ({
      ticketId: ticket.id,
      messageId: m.id,
      authorId: m.author.id,
      authorName: m.author.global_name || m.author.username,
      authorBot: m.author.bot === true,
      content: readableMentions(m.content, names),
      embedText: readableMentions(embedText(m), names),
      attachments: m.attachments.map((a) => ({ filename: a.filename, url: a.url })),
      sentAt: new Date(m.timestamp),
    }));
  for (let i = 0; i < rows.length; i += 500) await deps.db.insert(ticketMessages).values(rows.slice(i, i + 500)).onConflictDoNothing();
  return { count: rows.length, truncated };
}

const when = (d: Date) => `<t:${Math.floor(d.getTime() / 1000)}:f>`;

export function dashboardLink(deps: Pick<TicketDeps, "config">, ticket: Pick<TicketRow, "guildId" | "id">): string | null {
  return deps.config.PUBLIC_URL ? `${new URL(deps.config.PUBLIC_URL).origin}/discord/${ticket.guildId}/tickets/${ticket.id}` : null;
}

/** The log channel's summary; `file` names the attached transcript, when it is attached. */
export function closeSummary(ticket: TicketRow, link: string | null, transcript: { count: number; truncated: boolean }, file: string | null = null): Record<string, unknown> {
  const fields = [
    { name: "Opened by", value: `<@${ticket.openerId}> (${ticket.openerName})`.slice(0, 1024), inline: true },
    { name: "Category", value: ticket.categoryName.slice(0, 1024), inline: true },
    { name: "Claimed by", value: ticket.claimedById ? `<@${ticket.claimedById}>` : "nobody", inline: true },
    { name: "Closed by", value: (ticket.closedById ? `<@${ticket.closedById}>` : (ticket.closedByName ?? "unknown")).slice(0, 1024), inline: true },
    { name: "Opened", value: when(ticket.openedAt), inline: true },
    { name: "Closed", value: when(ticket.closedAt ?? ticket.updatedAt), inline: true },
    { name: "Reason", value: (ticket.closeReason || "none given").slice(0, 1024) },
    { name: "Transcript", value: `${transcript.count} message(s)${transcript.truncated ? ` (the newest ${TRANSCRIPT_CAP})` : ""}${file ? ` · attached as ${file}` : ""}${link ? ` · [open in Nebula](${link})` : ""}` },
  ];
  return { embeds: [{ title: `Ticket #${ticket.number} closed: ${ticket.subject}`.slice(0, 256), color: 0xed4245, fields, ...(link ? { url: link } : {}) }] };
}

export function ratingPrompt(ticket: Pick<TicketRow, "id" | "number">, guildName: string): Record<string, unknown> {
  return {
    embeds: [{ title: "How did we do?", description: `Your ticket #${ticket.number} in **${guildName}** was closed. How happy are you with the help you got?`.slice(0, 4096), color: 0x5865f2 }],
    components: [{ type: 1, components: [1, 2, 3, 4, 5].map((n) => ({ type: 2, style: n >= 4 ? 3 : 2, label: `${n} ★`, custom_id: encodeCustomId(PREFIX.rate, ticket.id, n) })) }],
  };
}

/** Tolerates what a user may have done in Discord meanwhile (thread or channel deleted, DMs closed): logged, not retried forever. */
async function tolerant<T>(deps: TicketDeps, what: string, work: () => Promise<T>): Promise<T | null> {
  try {
    return await work();
  } catch (err) {
    const status = upstreamStatus(err);
    if (status !== null && status >= 400 && status < 500) {
      deps.logger.warn(`ticket close: ${what} refused by Discord; skipped`, { status });
      return null;
    }
    throw err;
  }
}

export interface CloseOutcome {
  ticket: TicketRow;
  /** Someone else closed it before (and finished). */
  alreadyClosed: boolean;
}

export async function closeTicket(deps: TicketDeps, ticket: TicketRow, input: { reason: string | null; actor: TicketActor }): Promise<CloseOutcome> {
  const now = deps.now();
  const reason = input.reason?.trim().slice(0, 500) || null;
  const [won] = await deps.db
    .update(tickets)
    .set({ status: "closed", closedAt: now, closedById: input.actor.discordId, closedByName: input.actor.name, closeReason: reason, updatedAt: now })
    .where(and(eq(tickets.id, ticket.id), eq(tickets.status, "open")))
    .returning();
  const row = won ?? (await ticketById(deps.db, ticket.id));
  if (!row) throw new AppError("NOT_FOUND", "Ticket not found");
  if (!won && row.closeFinishedAt) return { ticket: row, alreadyClosed: true };

  const [settings] = await deps.db.select().from(ticketSettings).where(eq(ticketSettings.guildId, row.guildId)).limit(1);
  const nonce = (kind: string) => `${kind}${row.id.slice(4)}`;
  let transcript = { count: row.transcriptCount, truncated: row.transcriptTruncated };
  if (row.threadId) {
    const threadId = row.threadId;
    // Before archiving: a message posted into an archived thread unarchives it (Discord).
    await tolerant(deps, "closing notice", () =>
      sendMessage(deps, threadId, { embeds: [{ title: `Ticket #${row.number} closed`, description: `Closed by ${row.closedByName ?? "staff"}.${row.closeReason ? `\nReason: ${row.closeReason}` : ""}`.slice(0, 4096), color: 0xed4245 }] }, nonce("close")),
    );
    const stored = await tolerant(deps, "transcript", () => storeTranscript(deps, row, threadId));
    if (stored) {
      transcript = stored;
      // Kept before the channel goes: a retried close finds the channel gone (404) and keeps these counts.
      await deps.db.update(tickets).set({ transcriptCount: stored.count, transcriptTruncated: stored.truncated }).where(eq(tickets.id, row.id));
    }
    if (stored || row.kind === "thread") {
      await tolerant(deps, row.kind === "channel" ? "channel delete" : "archive", () => retireTicketChannel(deps, row.kind, threadId));
    } else {
      // A deleted channel takes its messages with it: without a stored transcript the channel stays for staff.
      deps.logger.warn("ticket close: no transcript stored, so the ticket's channel (if it still exists) is kept", { ticketId: row.id });
    }
    await forgetTicketThread(deps.cache, threadId);
  }
  const summarised = { ...row, transcriptCount: transcript.count };
  const [guild] = await deps.db.select({ name: guilds.name }).from(guilds).where(eq(guilds.guildId, row.guildId)).limit(1);
  if (settings?.logChannelId) {
    const logChannel = settings.logChannelId;
    const file = await transcriptFile(deps, summarised, guild?.name ?? "the server", transcript.truncated);
    const summary = closeSummary(summarised, dashboardLink(deps, row), transcript, file?.name ?? null);
    await tolerant(deps, "log post", () => sendMessage(deps, logChannel, summary, nonce("log"), file ? [file] : undefined));
  }
  if (settings?.ratingEnabled ?? true) {
    await tolerant(deps, "rating DM", async () => {
      const dm = await deps.rest.request<{ id: string }>({ method: "POST", path: "/users/@me/channels", auth: "bot", body: { recipient_id: row.openerId }, idempotent: true });
      return sendMessage(deps, dm.id, ratingPrompt(row, guild?.name ?? "the server"), nonce("rate"));
    });
  }
  const [finished] = await deps.db
    .update(tickets)
    .set({ closeFinishedAt: deps.now(), transcriptCount: transcript.count, transcriptTruncated: transcript.truncated, updatedAt: deps.now() })
    .where(eq(tickets.id, row.id))
    .returning();
  if (won) {
    await recordAudit(deps.db, { id: input.actor.auditId, name: input.actor.name }, { tenantId: row.tenantId, action: "tickets.close", targetType: "ticket", targetId: row.id, details: { number: row.number, reason } }, input.actor.requestId);
  }
  return { ticket: finished ?? row, alreadyClosed: false };
}
