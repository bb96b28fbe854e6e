// Scheduling auto-close checks in the guild's TicketTimers object, from code that also loads outside workerd: the
// interaction modules are read by `npm run discord:register` in Node, so this file never imports the Durable Object
// class or `cloudflare:workers` at load time (the same object as getTicketTimersByName, reached through the binding).
import type { Env } from "../env.ts";
import type { TimerEntry } from "./ticket-timers.ts";

/** A Worker deployed without the TICKET_TIMERS binding just has no auto-close. */
export async function scheduleAutoClose(guildId: string, entries: TimerEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const { env } = await import("cloudflare:workers");
  const ns = (env as Partial<Env>).TICKET_TIMERS;
  if (!ns) return;
  await ns.getByName(guildId).schedule(entries);
}
