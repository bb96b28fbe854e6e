// The signed-in user's view: who they are, their tenants, switching tenant, creating one, accepting an invite.
import { type Role, type api, invites, memberships, newId, sessions, tenants } from "@nebula/schema";
import { and, asc, eq, gt, isNull, lt, sql } from "drizzle-orm";
import { recordAudit } from "../audit/audit.ts";
import { forgetSession } from "../auth/auth-cache.ts";
import { sha256Hex } from "../crypto/tokens.ts";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import type { Auth } from "../http/context.ts";

export async function tenantsOf(db: Db, userId: string): Promise<api.TenantSummary[]> {
  return db
    .select({ id: tenants.id, name: tenants.name, role: memberships.role })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt));
}

export async function describeMe(db: Db, auth: Auth, discordSignIn: boolean): Promise<api.MeResponse> {
  let list = await tenantsOf(db, auth.user.id);
  if (auth.via === "token") list = list.filter((t) => t.id === auth.tenantId);
  const preferred = auth.via === "token" ? auth.tenantId : auth.activeTenantId;
  const active = list.find((t) => t.id === preferred)?.id ?? list[0]?.id ?? null;
  return { user: auth.user, tenants: list, activeTenantId: active, via: auth.via, discordSignIn };
}

export async function switchTenant(db: Db, auth: Auth, tenantId: string): Promise<void> {
  if (auth.via !== "session") throw new AppError("FORBIDDEN", "Only a browser session can switch tenant");
  const list = await tenantsOf(db, auth.user.id);
  if (!list.some((t) => t.id === tenantId)) throw new AppError("NOT_FOUND", "Tenant not found");
  await db.update(sessions).set({ activeTenantId: tenantId }).where(eq(sessions.id, auth.sessionId));
  // The session's cached copy (auth-cache.ts) still names the old tenant.
  forgetSession(auth.sessionId);
}

export async function createTenant(db: Db, auth: Auth, name: string, requestId: string): Promise<api.TenantSummary> {
  if (auth.via !== "session") throw new AppError("FORBIDDEN", "API tokens cannot create tenants");
  const tenantId = newId("tenant");
  await db.transaction(async (tx) => {
    await tx.insert(tenants).values({ id: tenantId, name });
    await tx.insert(memberships).values({ id: newId("membership"), tenantId, userId: auth.user.id, role: "owner" });
    await recordAudit(tx, auth.user, { tenantId, action: "tenant.create", targetType: "tenant", targetId: tenantId, details: { name } }, requestId);
    await tx.update(sessions).set({ activeTenantId: tenantId }).where(eq(sessions.id, auth.sessionId));
  });
  forgetSession(auth.sessionId);
  return { id: tenantId, name, role: "owner" };
}

/** The usable invite a link names, or 404 exactly like an unknown link. */
export async function previewInvite(db: Db, auth: Auth, token: string, now: Date): Promise<api.InvitePreview> {
  const [row] = await db
    .select({ tenantId: invites.tenantId, role: invites.role, expiresAt: invites.expiresAt, name: tenants.name })
    .from(invites)
    .innerJoin(tenants, eq(tenants.id, invites.tenantId))
    .where(and(eq(invites.tokenHash, await sha256Hex(token)), isNull(invites.revokedAt), gt(invites.expiresAt, now), lt(invites.uses, invites.maxUses)));
  if (!row) throw new AppError("NOT_FOUND", "This invite link is invalid, expired or used up");
  const [member] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.tenantId, row.tenantId), eq(memberships.userId, auth.user.id)));
  return { tenant: { id: row.tenantId, name: row.name }, role: row.role, expiresAt: row.expiresAt.toISOString(), currentRole: member?.role ?? null };
}

/** Joins the tenant an invite link names. Idempotent for someone who is already a member. */
export async function acceptInvite(db: Db, auth: Auth, token: string, now: Date, requestId: string): Promise<api.TenantSummary> {
  if (auth.via !== "session") throw new AppError("FORBIDDEN", "Invites are accepted from a browser session");
  const invalid = new AppError("NOT_FOUND", "This invite link is invalid, expired or used up");
  const hash = await sha256Hex(token);
  const joined = await db.transaction(async (tx) => {
    // Claim one use atomically, so two people cannot both take the last use.
    const [claimed] = await tx
      .update(invites)
      .set({ uses: sql`${invites.uses} + 1` })
      .where(and(eq(invites.tokenHash, hash), isNull(invites.revokedAt), gt(invites.expiresAt, now), lt(invites.uses, invites.maxUses)))
      .returning({ id: invites.id, tenantId: invites.tenantId, role: invites.role });
    if (!claimed) throw invalid;
    const [tenant] = await tx.select({ name: tenants.name }).from(tenants).where(eq(tenants.id, claimed.tenantId));
    if (!tenant) throw invalid;
    const [existing] = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.tenantId, claimed.tenantId), eq(memberships.userId, auth.user.id)));
    if (existing) {
      // Already a member: give the use back and change nothing.
      await tx.update(invites).set({ uses: sql`${invites.uses} - 1` }).where(eq(invites.id, claimed.id));
      return { id: claimed.tenantId, name: tenant.name, role: existing.role };
    }
    const role: Role = claimed.role;
    const membershipId = newId("membership");
    await tx.insert(memberships).values({ id: membershipId, tenantId: claimed.tenantId, userId: auth.user.id, role });
    await tx.update(sessions).set({ activeTenantId: claimed.tenantId }).where(eq(sessions.id, auth.sessionId));
    await recordAudit(
      tx,
      auth.user,
      { tenantId: claimed.tenantId, action: "member.join", targetType: "membership", targetId: membershipId, details: { role, inviteId: claimed.id } },
      requestId,
    );
    return { id: claimed.tenantId, name: tenant.name, role };
  });
  forgetSession(auth.sessionId);
  return joined;
}
