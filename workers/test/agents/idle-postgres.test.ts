// Neon scales to zero only if nobody queries it: an agent connected and reporting metrics, with nobody watching,
// makes its hub query Postgres for the hourly rollup push and at no other time. Counted at the Postgres bridge,
// by the hub's own application_name, over two simulated hours.
import { metricRollupsHourly } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { HOUR_MS, MINUTE_MS } from "../../src/metrics/metric-store.ts";
import { seedAgent } from "../support/agents.ts";
import { type SeededTenant, seedTenant, withDb } from "../support/seed.ts";
import { advanceHubClock, connectAgent, hubNow, hubOf, hubPostgresTraffic } from "./test-agent.ts";

let lab: SeededTenant;
beforeAll(async () => {
  lab = await withDb((db) => seedTenant(db, "Idle Lab"));
});

it("queries Postgres only for the hourly rollup push while an agent reports metrics and nobody watches", async () => {
  const seeded = await withDb((db) => seedAgent(db, lab.tenantId));
  const agent = await connectAgent(seeded);
  const afterHello = await hubPostgresTraffic(seeded.agentId);
  // The hello is recorded in Postgres (the connect route has just woken it to check the token).
  expect(afterHello.queries).toBeGreaterThan(0);

  // Each step reports the 10 minutes just past; start one step after an hour boundary so no step straddles it.
  const STEP_MS = 10 * MINUTE_MS;
  const start = await hubNow(seeded.agentId);
  await advanceHubClock(seeded.agentId, Math.ceil(start / HOUR_MS) * HOUR_MS + STEP_MS - start);

  let before = afterHello;
  let pushes = 0;
  for (let step = 0; step < 13; step++) {
    const now = await hubNow(seeded.agentId);
    const samples = Array.from({ length: 60 }, (_, i) => ({ at: now - STEP_MS + (i + 1) * 10_000, values: { "cpu.total": step, "mem.used_pct": 50 } }));
    await agent.sendMetrics(samples);
    const hourBefore = Math.floor(now / HOUR_MS);
    await advanceHubClock(seeded.agentId, STEP_MS);
    const crossedHour = Math.floor((now + STEP_MS) / HOUR_MS) !== hourBefore;

    const after = await hubPostgresTraffic(seeded.agentId);
    if (crossedHour) {
      expect(after.queries, `step ${step} crossed an hour: one push`).toBeGreaterThan(before.queries);
      pushes += 1;
    } else {
      expect(after, `step ${step}: no Postgres traffic between hourly pushes`).toEqual(before);
    }
    before = after;
  }
  expect(pushes).toBe(2);
  expect((await hubOf(seeded.agentId).status()).metrics.rollupPushes).toBe(2);
  const rows = await withDb((db) => db.select().from(metricRollupsHourly).where(eq(metricRollupsHourly.agentId, seeded.agentId)));
  expect(rows.filter((r) => r.metric === "mem.used_pct").every((r) => r.avg === 50)).toBe(true);
  agent.close();
});
