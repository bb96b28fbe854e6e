// Every registered cron job (workers/src/cron/jobs.ts) runs on a schedule wrangler.toml actually triggers, and names are unique.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CRON_SCHEDULES, JOBS } from "../workers/src/cron/jobs.ts";

const wranglerToml = readFileSync(new URL("../wrangler.toml", import.meta.url), "utf8");
const triggered = [...(/^\s*crons\s*=\s*\[([^\]]*)\]/m.exec(wranglerToml)?.[1] ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1]);

describe("cron jobs", () => {
  it("lists exactly the schedules wrangler.toml triggers", () => {
    expect([...CRON_SCHEDULES].sort()).toEqual(triggered.sort());
  });

  it("registers each job once, on a triggered schedule", () => {
    expect(new Set(JOBS.map((j) => j.name)).size).toBe(JOBS.length);
    for (const job of JOBS) expect(triggered).toContain(job.schedule);
  });
});
