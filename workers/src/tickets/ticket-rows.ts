// Looking tickets up (by id within a tenant, by thread for commands typed inside one) and deciding who is staff of a
// ticket: a member holding one of its category's staff roles, or anyone with Manage Server (Discord's own admins).
import { ticketCategories, tickets } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { PERMISSION, hasPermission } from "../interactions/guards.ts";

export type TicketRow = typeof tickets.$inferSelect;

export async function ticketOfTenant(db: Db, tenantId: string, guildId: string, ticketId: string): Promise<TicketRow> {
  const [row] = await db.select().from(tickets).where(and(eq(tickets.id, ticketId), eq(tickets.tenantId, tenantId), eq(tickets.guildId, guildId))).limit(1);
  if (!row) throw new AppError("NOT_FOUND", "Ticket not found");
  return row;
}

export async function ticketById(db: Db, ticketId: string): Promise<TicketRow | null> {
  const [row] = await db.select().from(tickets).where(eq(tickets.id, ticketId)).limit(1);
  return row ?? null;
}

export async function ticketByThread(db: Db, threadId: string): Promise<TicketRow | null> {
  const [row] = await db.select().from(tickets).where(eq(tickets.threadId, threadId)).limit(1);
  return row ?? null;
}

export async function staffRolesOf(db: Db, ticket: Pick<TicketRow, "categoryId">): Promise<string[]> {
  if (!ticket.categoryId) return [];
  const [row] = await db.select({ staffRoleIds: ticketCategories.staffRoleIds }).from(ticketCategories).where(eq(ticketCategories.id, ticket.categoryId)).limit(1);
  return row?.staffRoleIds ?? [];
}

/** Staff of a ticket, from what Discord sent with the interaction (the member's roles and computed permissions). */
export function isStaffMember(member: { roles: string[]; permissions?: string } | null, staffRoleIds: string[]): boolean {
  if (!member) return false;
  if (member.roles.some((r) => staffRoleIds.includes(r))) return true;
  return hasPermission(member.permissions ? BigInt(member.permissions) : 0n, PERMISSION.MANAGE_GUILD);
}
