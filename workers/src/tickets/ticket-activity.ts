// Activity in ticket threads, from the Gateway's message.created events (author id and time only; Nebula does not
// read content there): every non-bot message moves last_activity_at (auto-close measures idleness from it), and the
// first message by staff sets first_staff_response_at (the "first response time" stat).
//
// Who is staff: the event has only the author's id, so the author's roles are read through REST
// (GET /guilds/{id}/members/{user}, cached 10 minutes) and compared with the category's staff roles; the server's owner
// and members with Manage Server count too. Counting "anyone but the opener" would credit members added to the
// ticket with a staff response. The lookup runs only until a ticket has its first staff response, so a busy ticket
// costs one REST call per new author at most, and messages outside ticket threads cost one cache read.
import { tickets } from "@nebula/schema";
import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { createCache } from "../cache/create-cache.ts";
import { loadConfig } from "../config/config.ts";
import { onGatewayEvent } from "../discord-gateway/gateway-events.ts";
import { accessOf, fetchGuild } from "../discord-guilds/guild-access.ts";
import { baseLogger, createServices } from "../services/services.ts";
import { upstreamStatus } from "../errors/app-error.ts";
import { ticketOfThread } from "./ticket-cache.ts";
import { type TicketDeps, ticketDeps } from "./ticket-deps.ts";
import { staffRolesOf, ticketById } from "./ticket-rows.ts";

const MEMBER_ROLES_SECONDS = 600;
const MemberWire = z.looseObject({ roles: z.array(z.string()).default([]) });

/** The member's role ids, or null when they are not in the guild (any more). */
async function memberRoles(deps: TicketDeps, guildId: string, userId: string): Promise<string[] | null> {
  const key = `tickets:member-roles:${guildId}:${userId}`;
  const hit = await deps.cache.get(key);
  if (hit) return JSON.parse(hit) as string[] | null;
  let roles: string[] | null;
  try {
    roles = MemberWire.parse(await deps.rest.request({ method: "GET", path: `/guilds/${guildId}/members/${userId}`, auth: "bot", idempotent: true })).roles;
  } catch (err) {
    if (upstreamStatus(err) !== 404) throw err;
    roles = null;
  }
  await deps.cache.set(key, JSON.stringify(roles), { ttlSeconds: MEMBER_ROLES_SECONDS });
  return roles;
}

export async function isStaffUser(deps: TicketDeps, guildId: string, userId: string, staffRoleIds: string[]): Promise<boolean> {
  const roles = await memberRoles(deps, guildId, userId);
  if (roles?.some((r) => staffRoleIds.includes(r))) return true;
  const guild = await fetchGuild(deps.rest, deps.cache, guildId);
  return !!guild && accessOf(guild, userId, roles) !== null;
}

export async function recordTicketActivity(deps: TicketDeps, ticketId: string, message: { authorId: string; at: Date }): Promise<void> {
  const ticket = await ticketById(deps.db, ticketId);
  if (ticket?.status !== "open") return;
  // Never in the future (a skewed timestamp would postpone auto-close), never backwards (events may arrive out of order).
  const at = new Date(Math.min(message.at.getTime() || deps.now().getTime(), deps.now().getTime()));
  await deps.db
    .update(tickets)
    .set({ lastActivityAt: sql`greatest(${tickets.lastActivityAt}, ${at.toISOString()}::timestamptz)` })
    .where(eq(tickets.id, ticket.id));
  if (ticket.firstStaffResponseAt || message.authorId === ticket.openerId) return;
  if (!(await isStaffUser(deps, ticket.guildId, message.authorId, await staffRolesOf(deps.db, ticket)))) return;
  await deps.db
    .update(tickets)
    .set({ firstStaffResponseAt: at })
    .where(and(eq(tickets.id, ticket.id), isNull(tickets.firstStaffResponseAt)));
}

onGatewayEvent("message.created", async (event, env) => {
  if (event.bot) return;
  const config = loadConfig(env);
  const ticketId = await ticketOfThread(createCache(env, config), event.channelId);
  if (!ticketId) return;
  const scope = createServices(env, config, baseLogger(config).child({ feature: "tickets" }));
  try {
    await recordTicketActivity(ticketDeps(scope.services), ticketId, { authorId: event.authorId, at: new Date(event.at) });
  } finally {
    await scope.dispose();
  }
});
