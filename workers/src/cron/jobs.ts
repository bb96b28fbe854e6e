// Which cron jobs exist and on which schedule: plain data, importable from Node (`npm run cron -- --list`)
// without any Worker-only module. Implementations are attached in registry.ts.

/** The schedules in wrangler.toml [triggers]; few on purpose (5 per account on the Free plan), jobs share them. */
export const CRON_SCHEDULES = ["*/5 * * * *", "0 * * * *"] as const;
export type CronSchedule = (typeof CRON_SCHEDULES)[number];

export interface JobInfo {
  name: string;
  schedule: CronSchedule;
  description: string;
}

export const JOBS = [
  {
    name: "sessions.purge",
    schedule: "0 * * * *",
    description: "Delete expired sessions, and invites that expired, were used up or revoked more than 30 days ago",
  },
] as const satisfies readonly JobInfo[];

export type JobName = (typeof JOBS)[number]["name"];

export function jobsOn(cron: string): JobInfo[] {
  return JOBS.filter((job) => job.schedule === cron);
}

export function isSchedule(value: string): value is CronSchedule {
  return (CRON_SCHEDULES as readonly string[]).includes(value);
}
