// Cron: the hourly schedule runs sessions.purge, which removes credentials that can no longer be used
// and keeps everything still valid (or recently dead, for the invites page).
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { invites, newId, sessions } from "@nebula/schema";
import { inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../src/auth/sessions.ts";
import worker from "../src/index.ts";
import { type SeededTenant, seedTenant, withDb } from "./support/seed.ts";

const DAY = 24 * 3600 * 1000;
let lab: SeededTenant;

beforeAll(async () => {
  lab = await withDb((db) => seedTenant(db, "Cron Lab"));
});

async function runCron(cron: string): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron, scheduledTime: Date.now() }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe("sessions.purge on 0 * * * *", () => {
  it("deletes expired sessions and long-dead invites, and keeps live ones", async () => {
    const now = Date.now();
    const userId = lab.members.viewer.userId;
    const ids = await withDb(async (db) => {
      const expired = await createSession(db, { userId, activeTenantId: null, now: new Date(now - 31 * DAY) });
      const live = await createSession(db, { userId, activeTenantId: null, now: new Date(now) });
      const invite = (overrides: Partial<typeof invites.$inferInsert>) => {
        const id = newId("invite");
        return db
          .insert(invites)
          .values({ id, tenantId: lab.tenantId, role: "viewer", tokenHash: `${id}-hash`, expiresAt: new Date(now + DAY), ...overrides })
          .then(() => id);
      };
      return {
        expiredSession: expired.id,
        liveSession: live.id,
        longExpired: await invite({ expiresAt: new Date(now - 31 * DAY), createdAt: new Date(now - 40 * DAY) }),
        recentlyExpired: await invite({ expiresAt: new Date(now - DAY) }),
        longUsedUp: await invite({ uses: 1, maxUses: 1, createdAt: new Date(now - 31 * DAY), expiresAt: new Date(now + DAY) }),
        longRevoked: await invite({ revokedAt: new Date(now - 31 * DAY) }),
        active: await invite({}),
      };
    });

    await runCron("0 * * * *");

    const left = await withDb(async (db) => ({
      sessions: (await db.select({ id: sessions.id }).from(sessions).where(inArray(sessions.id, [ids.expiredSession, ids.liveSession]))).map((r) => r.id),
      invites: (
        await db
          .select({ id: invites.id })
          .from(invites)
          .where(inArray(invites.id, [ids.longExpired, ids.recentlyExpired, ids.longUsedUp, ids.longRevoked, ids.active]))
      ).map((r) => r.id),
    }));
    expect(left.sessions).toEqual([ids.liveSession]);
    expect(left.invites.sort()).toEqual([ids.recentlyExpired, ids.active].sort());
  });

  it("runs nothing (and fails nothing) on a schedule without jobs", async () => {
    await expect(runCron("*/5 * * * *")).resolves.toBeUndefined();
  });
});
