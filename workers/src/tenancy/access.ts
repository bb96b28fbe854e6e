// Tenancy and RBAC: resolves the caller's role in the tenant named by the path (a tenant they do not
// belong to answers exactly like a missing one: 404), and one `authorize(action)` middleware that
// checks the permission table. The table of which route needs which action is read back by the RBAC tests.
import { type Permission, type Role, can, memberships } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import type { MiddlewareHandler } from "hono";
import { authCache } from "../auth/auth-cache.ts";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";

const TENANT_ID = /^ten_[0-9a-z]{16}$/;

export const tenantNotFound = () => new AppError("NOT_FOUND", "Tenant not found");

/** Read live from Postgres (enrollment checks a code's creator this way); requests go through the auth cache. */
export async function roleIn(db: AppEnv["Variables"]["services"]["db"], tenantId: string, userId: string): Promise<Role | null> {
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)))
    .limit(1);
  return row?.role ?? null;
}

/** For routes under /api/t/:tenantId. Runs after requireAuth. */
export const tenantAccess = createMiddleware<AppEnv>(async (c, next) => {
  const tenantId = c.req.param("tenantId") ?? "";
  const auth = c.var.auth;
  if (!auth) throw new AppError("UNAUTHORIZED", "Sign in required");
  if (!TENANT_ID.test(tenantId)) throw tenantNotFound();
  if (auth.via === "token" && auth.tenantId !== tenantId) throw tenantNotFound();
  // The role comes through the auth cache: a demoted or removed member loses access on their next request in the
  // isolate that made the change, and within AUTH_CACHE_TTL_MS everywhere else (tokens included). Only a found
  // role is kept, so someone who just joined is let in at once.
  const nowMs = c.var.services.now().getTime();
  let role = authCache.role(tenantId, auth.user.id, nowMs);
  if (!role) {
    const live = await roleIn(c.var.services.db, tenantId, auth.user.id);
    if (!live) throw tenantNotFound();
    authCache.rememberRole(tenantId, auth.user.id, live, nowMs);
    role = live;
  }
  c.set("tenant", { tenantId, role, scopes: auth.via === "token" ? auth.scopes : null });
  await next();
});

/** Which action each authorize() middleware checks; the RBAC matrix test reads it from app.routes. */
export const permissionOfHandler = new WeakMap<Function, Permission>();

export function tokenScopeAllows(scopes: string[] | null, action: Permission): boolean {
  return scopes === null || scopes.includes("*") || scopes.includes(action);
}

export function authorize(action: Permission): MiddlewareHandler<AppEnv> {
  const mw = createMiddleware<AppEnv>(async (c, next) => {
    const access = c.var.tenant;
    if (!can(access.role, action)) {
      throw new AppError("FORBIDDEN", `Your role (${access.role}) cannot do ${action}`, { details: { action } });
    }
    if (!tokenScopeAllows(access.scopes, action)) {
      throw new AppError("FORBIDDEN", `This API token's scopes do not include ${action}`, { details: { action } });
    }
    c.set("permission", action);
    await next();
  });
  permissionOfHandler.set(mw, action);
  return mw;
}
