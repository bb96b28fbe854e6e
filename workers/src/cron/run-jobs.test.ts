// The registry's isolation rules: one failing job neither stops nor hides the others, and each job logs one line.
import { describe, expect, it } from "vitest";
import type { Env } from "../env.ts";
import { createLogger } from "../logging/logger.ts";
import { type CronJob, runJobs } from "./run-jobs.ts";

const env = {} as Env;
const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: createLogger({}, "debug", (line) => lines.push(JSON.parse(line))) };
}

const job = (name: string, run: CronJob["run"]): CronJob => ({ name, schedule: "0 * * * *", description: name, run });

describe("runJobs", () => {
  it("runs every job even when one fails, then reports the failure", async () => {
    const { lines, logger } = capture();
    const ran: string[] = [];
    const jobs = [
      job("a.fails", async () => {
        throw new Error("database unreachable");
      }),
      job("b.works", async () => {
        ran.push("b.works");
      }),
    ];

    const outcome = runJobs(jobs, env, ctx, logger);

    await expect(outcome).rejects.toThrow(AggregateError);
    await expect(outcome).rejects.toThrow("1 of 2 cron jobs failed");
    expect(ran).toEqual(["b.works"]);
    const results = lines.filter((l) => l.msg === "cron job finished" || l.msg === "cron job failed");
    expect(results).toHaveLength(2);
    expect(results).toContainEqual(expect.objectContaining({ name: "a.fails", ok: false, ms: expect.any(Number), level: "error" }));
    expect(results).toContainEqual(expect.objectContaining({ name: "b.works", ok: true, ms: expect.any(Number), level: "info" }));
  });

  it("passes each job a logger that names it", async () => {
    const { lines, logger } = capture();
    await runJobs([job("c.logs", async (_env, _ctx, log) => log.info("did things"))], env, ctx, logger);
    expect(lines.find((l) => l.msg === "did things")).toMatchObject({ job: "c.logs" });
  });
});
