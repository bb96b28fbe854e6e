// First-run bootstrap: the link printed by `npm start` (or the setup command) makes the first owner
// without Discord. It works once: as soon as any user exists it answers "already used".
import { memberships, newId, tenants, users } from "@nebula/schema";
import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { recordAudit } from "../audit/audit.ts";
import { type CreatedSession, createSession } from "./sessions.ts";

export type BootstrapResult = { ok: true; session: CreatedSession; tenantId: string } | { ok: false; reason: "already_bootstrapped" };

export async function bootstrapOwner(db: Db, input: { now: Date; userAgent: string | null; requestId: string }): Promise<BootstrapResult> {
  return db.transaction(async (tx) => {
    // Serialise concurrent clicks on the link: only one of them may find the database empty.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('nebula.bootstrap'))`);
    const [existing] = await tx.select({ n: sql<number>`count(*)::int` }).from(users);
    if ((existing?.n ?? 0) > 0) return { ok: false, reason: "already_bootstrapped" } as const;
    const userId = newId("user");
    const tenantId = newId("tenant");
    await tx.insert(users).values({ id: userId, name: "Owner" });
    await tx.insert(tenants).values({ id: tenantId, name: "My Homelab" });
    await tx.insert(memberships).values({ id: newId("membership"), tenantId, userId, role: "owner" });
    await recordAudit(tx, { id: userId, name: "Owner" }, { tenantId, action: "tenant.bootstrap", targetType: "tenant", targetId: tenantId }, input.requestId);
    const session = await createSession(tx, { userId, activeTenantId: tenantId, userAgent: input.userAgent, now: input.now });
    return { ok: true, session, tenantId } as const;
  });
}
