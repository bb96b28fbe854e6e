// Members of a tenant: list, change role, remove. Nobody can act above their own role,
// only owners touch owners, and a tenant always keeps at least one owner.
import { type Role, memberships, roleAtLeast, users } from "@nebula/schema";
import type { api } from "@nebula/schema";
import { and, asc, eq, sql } from "drizzle-orm";
import { type Actor, recordAudit } from "../audit/audit.ts";
import { forgetRole } from "../auth/auth-cache.ts";
import type { Db } from "../db/client.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import type { TenantAccess } from "../http/context.ts";
import { iso } from "../http/respond.ts";

export async function listMembers(db: Db, tenantId: string): Promise<api.Member[]> {
  const rows = await db
    .select({
      id: memberships.id,
      userId: users.id,
      name: users.name,
      avatarUrl: users.avatarUrl,
      role: memberships.role,
      createdAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.tenantId, tenantId))
    .orderBy(asc(memberships.createdAt));
  return rows.map((r) => ({ ...r, createdAt: iso(r.createdAt) }));
}

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

async function lockedMember(tx: Tx, tenantId: string, membershipId: string) {
  // Lock the tenant's owner rows so two concurrent demotions cannot leave it ownerless.
  await tx.execute(sql`select id from core.memberships where tenant_id = ${tenantId} and role = 'owner' for update`);
  const [target] = await tx
    .select({ id: memberships.id, userId: memberships.userId, role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.id, membershipId), eq(memberships.tenantId, tenantId)));
  if (!target) throw notFound("Member");
  return target;
}

async function ownerCount(tx: Tx, tenantId: string): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.role, "owner")));
  return row?.n ?? 0;
}

function assertMayManage(access: TenantAccess, targetRole: Role, newRole?: Role): void {
  if (targetRole === "owner" && access.role !== "owner") throw new AppError("FORBIDDEN", "Only an owner can change an owner");
  if (newRole && !roleAtLeast(access.role, newRole)) {
    throw new AppError("FORBIDDEN", `You cannot grant a role above your own (${access.role})`);
  }
}

export async function changeMemberRole(
  db: Db,
  access: TenantAccess,
  actor: Actor & { userId: string },
  membershipId: string,
  role: Role,
  requestId: string,
): Promise<api.Member> {
  const changed = await db.transaction(async (tx) => {
    const target = await lockedMember(tx, access.tenantId, membershipId);
    if (target.userId === actor.userId) throw new AppError("FORBIDDEN", "You cannot change your own role");
    assertMayManage(access, target.role, role);
    if (target.role === "owner" && role !== "owner" && (await ownerCount(tx, access.tenantId)) <= 1) {
      throw new AppError("CONFLICT", "A tenant must keep at least one owner");
    }
    if (target.role === role) return target;
    await tx.update(memberships).set({ role, updatedAt: new Date() }).where(eq(memberships.id, membershipId));
    await recordAudit(tx, actor, { tenantId: access.tenantId, action: "member.role_change", targetType: "membership", targetId: membershipId, details: { from: target.role, to: role } }, requestId);
    return target;
  });
  // After the commit: the member's next request in this isolate reads the new role (auth-cache.ts).
  forgetRole(access.tenantId, changed.userId);
  const member = (await listMembers(db, access.tenantId)).find((m) => m.id === membershipId);
  if (!member) throw notFound("Member");
  return member;
}

export async function removeMember(db: Db, access: TenantAccess, actor: Actor & { userId: string }, membershipId: string, requestId: string): Promise<void> {
  const removed = await db.transaction(async (tx) => {
    const target = await lockedMember(tx, access.tenantId, membershipId);
    assertMayManage(access, target.role);
    if (target.role === "owner" && (await ownerCount(tx, access.tenantId)) <= 1) {
      throw new AppError("CONFLICT", "A tenant must keep at least one owner");
    }
    await tx.delete(memberships).where(eq(memberships.id, membershipId));
    await recordAudit(tx, actor, { tenantId: access.tenantId, action: "member.remove", targetType: "membership", targetId: membershipId, details: { userId: target.userId, role: target.role } }, requestId);
    return target;
  });
  forgetRole(access.tenantId, removed.userId);
}
