// Hourly clean-up of credentials that can no longer be used: expired sessions, and dead invites after a
// 30-day grace period during which the invites page still shows them as expired / used / revoked.
import { invites, sessions } from "@nebula/schema";
import { and, gte, isNotNull, lt, lte, or, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";

export const INVITE_RETENTION_MS = 30 * 24 * 3600 * 1000;

export async function purgeExpiredCredentials(db: Db, now: Date): Promise<{ sessions: number; invites: number }> {
  const deadSessions = await db.delete(sessions).where(lte(sessions.expiresAt, now)).returning({ id: sessions.id });
  const cutoff = new Date(now.getTime() - INVITE_RETENTION_MS);
  const deadInvites = await db
    .delete(invites)
    .where(
      or(
        lt(invites.expiresAt, cutoff),
        and(isNotNull(invites.revokedAt), lt(invites.revokedAt, cutoff)),
        and(gte(invites.uses, invites.maxUses), lt(invites.createdAt, cutoff)),
      ) ?? sql`false`,
    )
    .returning({ id: invites.id });
  return { sessions: deadSessions.length, invites: deadInvites.length };
}
