// Runs a schedule's jobs side by side, each isolated from the others' failures, one structured log line per job.
// Free of Worker-only imports so the isolation rules are unit-tested in Node.
import type { Env } from "../env.ts";
import type { Logger } from "../logging/logger.ts";
import type { JobInfo } from "./jobs.ts";

export interface CronJob extends JobInfo {
  /** scheduledTime: the trigger's time (ScheduledController.scheduledTime), the clock of jobs that compare times. */
  run(env: Env, ctx: ExecutionContext, logger: Logger, scheduledTime?: number): Promise<void>;
}

/** Every job runs to the end; afterwards one AggregateError names the failures so the invocation shows as failed. */
export async function runJobs(jobs: readonly CronJob[], env: Env, ctx: ExecutionContext, logger: Logger, scheduledTime = Date.now()): Promise<void> {
  const failures: unknown[] = [];
  await Promise.all(
    jobs.map(async (job) => {
      const jobLogger = logger.child({ job: job.name });
      const started = performance.now();
      try {
        await job.run(env, ctx, jobLogger, scheduledTime);
        jobLogger.info("cron job finished", { name: job.name, ok: true, ms: Math.round(performance.now() - started) });
      } catch (err) {
        failures.push(err);
        jobLogger.error("cron job failed", { name: job.name, ok: false, ms: Math.round(performance.now() - started), err });
      }
    }),
  );
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} of ${jobs.length} cron jobs failed`);
}
