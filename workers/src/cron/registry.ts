// The cron registry: each wrangler.toml schedule runs the jobs registered on it, each isolated from the
// others' failures, with one structured log line per job.
import { ConfigError, loadConfig } from "../config/config.ts";
import { openDb } from "../db/client.ts";
import type { Env } from "../env.ts";
import { type Logger, createLogger } from "../logging/logger.ts";
import { baseLogger } from "../services/services.ts";
import { JOBS, type JobInfo, type JobName } from "./jobs.ts";
import { purgeExpiredCredentials } from "./sessions-purge.ts";

export interface CronJob extends JobInfo {
  run(env: Env, ctx: ExecutionContext, logger: Logger): Promise<void>;
}

const runners: Record<JobName, CronJob["run"]> = {
  "sessions.purge": async (env, _ctx, logger) => {
    const handle = openDb(loadConfig(env));
    try {
      const deleted = await purgeExpiredCredentials(handle.db, new Date());
      logger.info("purged expired credentials", { deleted });
    } finally {
      await handle.close().catch(() => {});
    }
  },
};

export const CRON_JOBS: readonly CronJob[] = JOBS.map((job) => ({ ...job, run: runners[job.name] }));

/** The Worker's `scheduled` handler. Throws after all jobs ran if any failed, so the invocation shows as failed. */
export async function runScheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  let logger: Logger;
  try {
    logger = baseLogger(loadConfig(env)).child({ cron: controller.cron });
  } catch (err) {
    if (err instanceof ConfigError) createLogger({ cron: controller.cron }).error("configuration invalid", { problems: err.problems });
    throw err;
  }
  const jobs = CRON_JOBS.filter((job) => job.schedule === controller.cron);
  if (jobs.length === 0) logger.warn("no cron jobs registered for this schedule");
  const failures: unknown[] = [];
  await Promise.all(
    jobs.map(async (job) => {
      const jobLogger = logger.child({ job: job.name });
      const started = performance.now();
      try {
        await job.run(env, ctx, jobLogger);
        jobLogger.info("cron job finished", { name: job.name, ok: true, ms: Math.round(performance.now() - started) });
      } catch (err) {
        failures.push(err);
        jobLogger.error("cron job failed", { name: job.name, ok: false, ms: Math.round(performance.now() - started), err });
      }
    }),
  );
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} of ${jobs.length} cron jobs failed`);
}
