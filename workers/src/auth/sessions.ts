// Server-side sessions: a 256-bit random token in the cookie, its SHA-256 in Postgres,
// 30-day expiry renewed (sliding) at most once a day of use so active users stay signed in: the renewal is
// the only write, and with the auth cache (auth-cache.ts) it is checked only when the isolate reads the row.
import { sessions, users } from "@nebula/schema";
import { newId } from "@nebula/schema";
import { and, eq, gt } from "drizzle-orm";
import { randomToken, sha256Hex } from "../crypto/tokens.ts";
import type { Db } from "../db/client.ts";
import type { AuthUser } from "../http/context.ts";
import { forgetSession, forgetSessionsOf } from "./auth-cache.ts";

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
/** Renew when less than this much lifetime is left, so a busy session does not write on every request. */
const RENEW_BELOW_MS = SESSION_TTL_MS - 24 * 3600 * 1000;

export interface CreatedSession {
  token: string;
  id: string;
  expiresAt: Date;
}

export async function createSession(
  db: Pick<Db, "insert">,
  input: { userId: string; activeTenantId: string | null; userAgent?: string | null; now: Date },
): Promise<CreatedSession> {
  const token = randomToken("", 32);
  const id = newId("session");
  const expiresAt = new Date(input.now.getTime() + SESSION_TTL_MS);
  await db.insert(sessions).values({
    id,
    tokenHash: await sha256Hex(token),
    userId: input.userId,
    activeTenantId: input.activeTenantId,
    userAgent: input.userAgent?.slice(0, 300) ?? null,
    expiresAt,
    lastSeenAt: input.now,
  });
  return { token, id, expiresAt };
}

export interface ResolvedSession {
  sessionId: string;
  user: AuthUser;
  activeTenantId: string | null;
  /** After any renewal. */
  expiresAt: Date;
  /** Set when the expiry was pushed forward: the cookie must be re-sent. */
  renewedUntil: Date | null;
}

export const SESSION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** `tokenHash` is the SHA-256 of a token that matched SESSION_TOKEN_PATTERN. */
export async function resolveSession(db: Db, tokenHash: string, now: Date): Promise<ResolvedSession | null> {
  const [row] = await db
    .select({
      id: sessions.id,
      expiresAt: sessions.expiresAt,
      activeTenantId: sessions.activeTenantId,
      userId: users.id,
      name: users.name,
      avatarUrl: users.avatarUrl,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now)))
    .limit(1);
  if (!row) return null;
  let renewedUntil: Date | null = null;
  if (row.expiresAt.getTime() - now.getTime() < RENEW_BELOW_MS) {
    renewedUntil = new Date(now.getTime() + SESSION_TTL_MS);
    await db.update(sessions).set({ expiresAt: renewedUntil, lastSeenAt: now }).where(eq(sessions.id, row.id));
  }
  return {
    sessionId: row.id,
    user: { id: row.userId, name: row.name, avatarUrl: row.avatarUrl },
    activeTenantId: row.activeTenantId,
    expiresAt: renewedUntil ?? row.expiresAt,
    renewedUntil,
  };
}

export async function revokeSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
  forgetSession(sessionId);
}

export async function revokeAllSessions(db: Db, userId: string): Promise<number> {
  const rows = await db.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.id });
  forgetSessionsOf(userId);
  return rows.length;
}
