// Reading and renaming a tenant.
import { tenants } from "@nebula/schema";
import type { api } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { type Actor, recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/client.ts";
import type { TenantAccess } from "../http/context.ts";
import { tenantNotFound } from "./access.ts";

export async function getTenant(db: Db, access: TenantAccess): Promise<api.TenantSummary> {
  const [row] = await db.select({ id: tenants.id, name: tenants.name }).from(tenants).where(eq(tenants.id, access.tenantId));
  if (!row) throw tenantNotFound();
  return { ...row, role: access.role };
}

export async function renameTenant(db: Db, access: TenantAccess, actor: Actor, name: string, requestId: string): Promise<api.TenantSummary> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select({ name: tenants.name }).from(tenants).where(eq(tenants.id, access.tenantId));
    if (!before) throw tenantNotFound();
    await tx.update(tenants).set({ name, updatedAt: new Date() }).where(eq(tenants.id, access.tenantId));
    await recordAudit(tx, actor, { tenantId: access.tenantId, action: "tenant.rename", targetType: "tenant", targetId: access.tenantId, details: { from: before.name, to: name } }, requestId);
    return { id: access.tenantId, name, role: access.role };
  });
}
