// Who is calling: a session cookie or an `Authorization: Bearer nc_…` API token. Also the Origin check
// that keeps cookie-authenticated unsafe requests same-origin (CSRF), and the 401 guard. Both credentials are
// looked up through the per-isolate auth cache (auth-cache.ts: up to AUTH_CACHE_TTL_MS of revocation lag across
// isolates, none in the isolate that revoked), so a warm request does not wait on Postgres.
import { apiTokens, users } from "@nebula/schema";
import { and, eq, isNull } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { sha256Hex } from "../crypto/tokens.ts";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv, Auth } from "../http/context.ts";
import { afterResponse } from "../services/services.ts";
import { authCache } from "./auth-cache.ts";
import { readSessionCookie, setSessionCookie } from "./cookies.ts";
import { SESSION_TOKEN_PATTERN, resolveSession } from "./sessions.ts";

export const API_TOKEN_PATTERN = /^nc_[A-Za-z0-9_-]{43}$/;
/** last_used_at is advisory: write it at most once a minute per token. */
const LAST_USED_GRANULARITY_MS = 60_000;
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

type Ctx = Parameters<Parameters<typeof createMiddleware<AppEnv>>[0]>[0];

async function authenticateToken(c: Ctx, raw: string): Promise<Auth> {
  const { now } = c.var.services;
  const invalid = new AppError("UNAUTHORIZED", "Invalid or revoked API token");
  if (!API_TOKEN_PATTERN.test(raw)) throw invalid;
  const hash = await sha256Hex(raw);
  const at = now();
  const cached = authCache.token(hash, at.getTime());
  if (cached) return { via: "token", user: cached.user, tokenId: cached.tokenId, tenantId: cached.tenantId, scopes: cached.scopes };
  const { db } = c.var.services;
  const [row] = await db
    .select({
      id: apiTokens.id,
      tenantId: apiTokens.tenantId,
      scopes: apiTokens.scopes,
      expiresAt: apiTokens.expiresAt,
      lastUsedAt: apiTokens.lastUsedAt,
      userId: users.id,
      name: users.name,
      avatarUrl: users.avatarUrl,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, hash), isNull(apiTokens.revokedAt)))
    .limit(1);
  if (!row || (row.expiresAt && row.expiresAt <= at)) throw invalid;
  // Written only when the row is read (a cache miss), so at most once per isolate and TTL, and once a minute.
  // Started now (execute), not when waitUntil gets to it: by then the request's pool is closed.
  if (!row.lastUsedAt || at.getTime() - row.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS) {
    afterResponse(c, db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, row.id)).execute());
  }
  const user = { id: row.userId, name: row.name, avatarUrl: row.avatarUrl };
  authCache.rememberToken(hash, { tokenId: row.id, tenantId: row.tenantId, scopes: row.scopes, user, expiresAt: row.expiresAt?.getTime() ?? null }, at.getTime());
  return { via: "token", user, tokenId: row.id, tenantId: row.tenantId, scopes: row.scopes };
}

async function authenticateSession(c: Ctx, cookie: string): Promise<Auth | null> {
  if (!SESSION_TOKEN_PATTERN.test(cookie)) return null;
  const hash = await sha256Hex(cookie);
  const now = c.var.services.now();
  const cached = authCache.session(hash, now.getTime());
  if (cached) return { via: "session", user: cached.user, sessionId: cached.sessionId, activeTenantId: cached.activeTenantId };
  const session = await resolveSession(c.var.services.db, hash, now);
  if (!session) return null;
  authCache.rememberSession(
    hash,
    { sessionId: session.sessionId, user: session.user, activeTenantId: session.activeTenantId, expiresAt: session.expiresAt.getTime() },
    now.getTime(),
  );
  if (session.renewedUntil) setSessionCookie(c, cookie, session.renewedUntil);
  return { via: "session", user: session.user, sessionId: session.sessionId, activeTenantId: session.activeTenantId };
}

/** Sets c.var.auth when the request carries valid credentials; a bad bearer token is a 401, a stale cookie is ignored. */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("authorization");
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m?.[1]) throw new AppError("UNAUTHORIZED", "Authorization header must be `Bearer <token>`");
    c.set("auth", await authenticateToken(c, m[1]));
    return next();
  }
  const cookie = readSessionCookie(c);
  if (cookie) {
    const auth = await authenticateSession(c, cookie);
    if (auth) c.set("auth", auth);
  }
  await next();
});

export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.var.auth) throw new AppError("UNAUTHORIZED", "Sign in required");
  await next();
});

/** The origins this deployment answers on: its own URL and PUBLIC_URL. */
export function allowedOrigins(requestUrl: string, publicUrl: string | undefined): Set<string> {
  const set = new Set([new URL(requestUrl).origin]);
  if (publicUrl) set.add(new URL(publicUrl).origin);
  return set;
}

/**
 * CSRF: an unsafe method that would ride on the cookie must come from our own origin.
 * Bearer-token calls carry no ambient credential and are exempt.
 */
export const checkOrigin = createMiddleware<AppEnv>(async (c, next) => {
  if (UNSAFE.has(c.req.method) && c.req.header("authorization") === undefined) {
    const origin = c.req.header("origin");
    if (!origin || !allowedOrigins(c.req.url, c.var.services.config.PUBLIC_URL).has(origin)) {
      throw new AppError("FORBIDDEN", "Cross-origin request rejected", { details: { origin: origin ?? null } });
    }
  }
  await next();
});
