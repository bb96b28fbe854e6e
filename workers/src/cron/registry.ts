// The cron registry: the Worker's `scheduled` handler runs the jobs registered on the firing schedule.
import { ConfigError, loadConfig } from "../config/config.ts";
import { openDb } from "../db/client.ts";
import type { Env } from "../env.ts";
import { type Logger, createLogger } from "../logging/logger.ts";
import { baseLogger } from "../services/services.ts";
import { JOBS, type JobName } from "./jobs.ts";
import { type CronJob, runJobs } from "./run-jobs.ts";
import { purgeExpiredCredentials } from "./sessions-purge.ts";

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
  await runJobs(jobs, env, ctx, logger);
}
