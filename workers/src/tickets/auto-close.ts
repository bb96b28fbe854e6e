// The auto-close check a TicketTimers alarm runs for one due ticket: still open and idle for the guild's
// auto_close_hours (measured from its last message, which the gateway keeps current) → closed by Nebula; active
// since → due again later; closed, or auto-close turned off → no timer.
import { ticketSettings } from "@nebula/schema";
import { eq } from "drizzle-orm";
import type { Services } from "../http/context.ts";
import { closeTicket } from "./close-ticket.ts";
import { AUTO_CLOSE_ACTOR, ticketDeps } from "./ticket-deps.ts";
import { ticketById } from "./ticket-rows.ts";

/** dueAt: when to look again (epoch ms), or null when this ticket needs no timer any more. */
export async function checkAutoClose(services: Services, ticketId: string): Promise<{ dueAt: number | null; closed: boolean }> {
  const deps = ticketDeps(services);
  const ticket = await ticketById(deps.db, ticketId);
  if (ticket?.status !== "open") return { dueAt: null, closed: false };
  const [settings] = await deps.db.select({ hours: ticketSettings.autoCloseHours }).from(ticketSettings).where(eq(ticketSettings.guildId, ticket.guildId)).limit(1);
  if (!settings?.hours) return { dueAt: null, closed: false };
  const dueAt = ticket.lastActivityAt.getTime() + settings.hours * 3600_000;
  if (dueAt > deps.now().getTime()) return { dueAt, closed: false };
  await closeTicket(deps, ticket, { reason: `No activity for ${settings.hours} hour${settings.hours === 1 ? "" : "s"}`, actor: AUTO_CLOSE_ACTOR });
  return { dueAt: null, closed: true };
}
