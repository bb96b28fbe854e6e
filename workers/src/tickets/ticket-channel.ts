// Where a ticket lives in Discord, and the few operations that differ by kind: a private thread under the panel's
// channel (members are thread members) or a text channel of its own (members are permission overwrites). Everything
// else a ticket does (messages, rename, transcript) is the same call for both, on the id kept in tickets.thread_id.
import type { TicketKind } from "@nebula/schema";
import { applicationIdOf } from "../custom-commands/registration.ts";
import { InteractionError } from "../interactions/guards.ts";
import type { PanelRow } from "./ticket-config.ts";
import type { TicketDeps } from "./ticket-deps.ts";
import type { TicketRow } from "./ticket-rows.ts";

/** Discord: private threads are channel type 12; 10080 minutes (7 days) is the longest auto-archive. */
const PRIVATE_THREAD = 12;
const AUTO_ARCHIVE_MINUTES = 10080;
/** Discord: a guild text channel is type 0; overwrite type 0 is a role, 1 a member. */
const TEXT_CHANNEL = 0;
const ROLE = 0;
const MEMBER = 1;

/** Discord permission bits (topics/permissions): what a ticket's participant needs, and nothing more. */
const VIEW_CHANNEL = 1n << 10n;
const SEND_MESSAGES = 1n << 11n;
const ATTACH_FILES = 1n << 15n;
const READ_MESSAGE_HISTORY = 1n << 16n;
export const PARTICIPANT_ALLOW = String(VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | ATTACH_FILES);
export const EVERYONE_DENY = String(VIEW_CHANNEL);

export function ticketChannelName(number: number, openerName: string): string {
  const who = openerName.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") || "member";
  return `ticket-${String(number).padStart(4, "0")}-${who}`.slice(0, 100);
}

export interface PermissionOverwrite {
  id: string;
  type: typeof ROLE | typeof MEMBER;
  allow: string;
  deny: string;
}

/**
 * A channel ticket's overwrites: @everyone (Discord: its role id is the guild id) cannot see it; the opener, the
 * category's staff roles and the bot can. The bot needs its own allow, or the @everyone deny would lock it out of
 * the channel it just made (Discord: a bot user's id is its application's id).
 */
export function channelOverwrites(guildId: string, openerId: string, staffRoleIds: string[], botId: string): PermissionOverwrite[] {
  const allow = (id: string, type: PermissionOverwrite["type"]): PermissionOverwrite => ({ id, type, allow: PARTICIPANT_ALLOW, deny: "0" });
  return [{ id: guildId, type: ROLE, allow: "0", deny: EVERYONE_DENY }, allow(openerId, MEMBER), ...staffRoleIds.filter((r) => r !== guildId).map((r) => allow(r, ROLE)), allow(botId, MEMBER)];
}

/** Creates the ticket's thread or channel and returns its id (a thread's opener is added by grantTicketMember). */
export async function createTicketChannel(
  deps: TicketDeps,
  ticket: Pick<TicketRow, "kind" | "guildId" | "number" | "openerId">,
  panel: Pick<PanelRow, "channelId" | "discordCategoryId">,
  openerName: string,
  staffRoleIds: string[],
): Promise<string> {
  const name = ticketChannelName(ticket.number, openerName);
  if (ticket.kind === "channel") {
    const botId = applicationIdOf(deps.config);
    if (!botId) throw new InteractionError("Channel tickets need the bot's application id (DISCORD_APPLICATION_ID); ask an admin to set it.");
    const channel = await deps.rest.request<{ id: string }>({
      method: "POST",
      path: `/guilds/${ticket.guildId}/channels`,
      auth: "bot",
      body: { name, type: TEXT_CHANNEL, ...(panel.discordCategoryId ? { parent_id: panel.discordCategoryId } : {}), permission_overwrites: channelOverwrites(ticket.guildId, ticket.openerId, staffRoleIds, botId) },
    });
    return channel.id;
  }
  const thread = await deps.rest.request<{ id: string }>({
    method: "POST",
    path: `/channels/${panel.channelId}/threads`,
    auth: "bot",
    // invitable false: only moderators (and the bot) can add people, not other members of the thread.
    body: { name, type: PRIVATE_THREAD, invitable: false, auto_archive_duration: AUTO_ARCHIVE_MINUTES },
  });
  return thread.id;
}

/** Lets a member see and write in the ticket: a thread member, or a member overwrite on the channel. */
export async function grantTicketMember(deps: TicketDeps, ticket: Pick<TicketRow, "kind" | "threadId">, userId: string): Promise<void> {
  const channelId = ticket.threadId as string;
  if (ticket.kind === "channel") {
    await deps.rest.request({ method: "PUT", path: `/channels/${channelId}/permissions/${userId}`, auth: "bot", body: { type: MEMBER, allow: PARTICIPANT_ALLOW, deny: "0" }, idempotent: true });
    return;
  }
  await deps.rest.request({ method: "PUT", path: `/channels/${channelId}/thread-members/${userId}`, auth: "bot", idempotent: true });
}

/** Takes a member out of the ticket again (Discord answers 404 when they were not in it). */
export async function revokeTicketMember(deps: TicketDeps, ticket: Pick<TicketRow, "kind" | "threadId">, userId: string): Promise<void> {
  const channelId = ticket.threadId as string;
  const path = ticket.kind === "channel" ? `/channels/${channelId}/permissions/${userId}` : `/channels/${channelId}/thread-members/${userId}`;
  await deps.rest.request({ method: "DELETE", path, auth: "bot", idempotent: true });
}

/**
 * The end of a closed ticket in Discord, once its transcript is stored: a thread is archived and locked (it stays
 * readable, as TicketsBot's thread mode leaves it); a channel is deleted, as TicketsBot does, since a kept channel per
 * ticket would fill the server (Discord: at most 500 channels per guild, 50 per category).
 */
export async function retireTicketChannel(deps: TicketDeps, kind: TicketKind, channelId: string): Promise<void> {
  if (kind === "channel") await deps.rest.request({ method: "DELETE", path: `/channels/${channelId}`, auth: "bot", idempotent: true });
  else await deps.rest.request({ method: "PATCH", path: `/channels/${channelId}`, auth: "bot", body: { archived: true, locked: true }, idempotent: true });
}
