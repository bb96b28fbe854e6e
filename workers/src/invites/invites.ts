// Invite links: created with a role (never above the creator's), shown once, stored hashed, revocable.
import { invites, newId, roleAtLeast } from "@nebula/schema";
import type { api } from "@nebula/schema";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { z } from "zod";
import { type Actor, recordAudit } from "../audit/audit.ts";
import { randomToken, sha256Hex } from "../crypto/tokens.ts";
import type { Db } from "../db/client.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import type { TenantAccess } from "../http/context.ts";
import { iso } from "../http/respond.ts";

type InviteRow = typeof invites.$inferSelect;

function present(row: InviteRow, now: Date): api.Invite {
  const status = row.revokedAt ? "revoked" : row.uses >= row.maxUses ? "used" : row.expiresAt <= now ? "expired" : "active";
  return {
    id: row.id,
    role: row.role,
    maxUses: row.maxUses,
    uses: row.uses,
    expiresAt: iso(row.expiresAt),
    revokedAt: iso(row.revokedAt),
    createdAt: iso(row.createdAt),
    status,
  };
}

export async function listInvites(db: Db, tenantId: string, now: Date): Promise<api.Invite[]> {
  const rows = await db.select().from(invites).where(eq(invites.tenantId, tenantId)).orderBy(desc(invites.createdAt)).limit(200);
  return rows.map((r) => present(r, now));
}

export async function createInvite(
  db: Db,
  access: TenantAccess,
  actor: Actor & { userId: string },
  input: z.output<typeof api.CreateInviteRequest>,
  origin: string,
  now: Date,
  requestId: string,
): Promise<{ invite: api.Invite; url: string }> {
  if (!roleAtLeast(access.role, input.role)) throw new AppError("FORBIDDEN", `You cannot invite with a role above your own (${access.role})`);
  const token = randomToken("", 32);
  const row: InviteRow = {
    id: newId("invite"),
    tenantId: access.tenantId,
    role: input.role,
    tokenHash: await sha256Hex(token),
    createdBy: actor.userId,
    maxUses: input.maxUses,
    uses: 0,
    expiresAt: new Date(now.getTime() + input.expiresInHours * 3600_000),
    revokedAt: null,
    createdAt: now,
  };
  await db.transaction(async (tx) => {
    await tx.insert(invites).values(row);
    await recordAudit(tx, actor, { tenantId: access.tenantId, action: "invite.create", targetType: "invite", targetId: row.id, details: { role: row.role, maxUses: row.maxUses } }, requestId);
  });
  return { invite: present(row, now), url: `${origin}/invite/${token}` };
}

export async function revokeInvite(db: Db, access: TenantAccess, actor: Actor, inviteId: string, now: Date, requestId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(invites)
      .set({ revokedAt: now })
      .where(and(eq(invites.id, inviteId), eq(invites.tenantId, access.tenantId), isNull(invites.revokedAt)))
      .returning({ id: invites.id });
    if (!row) {
      const [exists] = await tx.select({ id: invites.id }).from(invites).where(and(eq(invites.id, inviteId), eq(invites.tenantId, access.tenantId)));
      if (!exists) throw notFound("Invite");
      return; // already revoked: nothing changes
    }
    await recordAudit(tx, actor, { tenantId: access.tenantId, action: "invite.revoke", targetType: "invite", targetId: inviteId }, requestId);
  });
}
