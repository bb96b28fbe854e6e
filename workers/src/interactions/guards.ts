// Errors a handler throws to tell the user something (shown as an ephemeral message, not logged as a fault), and
// permission checks that read what Discord computed for the member (member.permissions, channel overwrites applied).
import type { InteractionContext } from "./context.ts";

/** Thrown by a handler: the router answers the user with `message` (ephemeral) instead of a generic error. */
export class InteractionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InteractionError";
  }
}

/** Discord permission bits (https://discord.com/developers/docs/topics/permissions). */
export const PERMISSION = {
  ADMINISTRATOR: 1n << 3n,
  MANAGE_CHANNELS: 1n << 4n,
  MANAGE_GUILD: 1n << 5n,
  MANAGE_MESSAGES: 1n << 13n,
  MANAGE_ROLES: 1n << 28n,
  MANAGE_THREADS: 1n << 34n,
} as const;

export function hasPermission(bits: bigint, permission: bigint): boolean {
  // Discord: ADMINISTRATOR implies every permission.
  return (bits & PERMISSION.ADMINISTRATOR) !== 0n || (bits & permission) === permission;
}

/** The invoking member's permission bits in this channel; 0 outside a guild. */
export function memberPermissions(ctx: Pick<InteractionContext, "member">): bigint {
  const raw = ctx.member?.permissions;
  return raw ? BigInt(raw) : 0n;
}

/** Throws an InteractionError unless the member has Manage Server (or Administrator) in this guild. */
export function requireManageGuild(ctx: Pick<InteractionContext, "member" | "guildId">): void {
  if (!ctx.guildId || !ctx.member) throw new InteractionError("This command works only inside a server.");
  if (!hasPermission(memberPermissions(ctx), PERMISSION.MANAGE_GUILD)) {
    throw new InteractionError("You need the Manage Server permission to do this.");
  }
}
