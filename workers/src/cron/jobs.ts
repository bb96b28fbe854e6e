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
  {
    name: "discord.gateway",
    schedule: "*/5 * * * *",
    description: "Re-open the Discord Gateway connection if it died (only when DISCORD_BOT_TOKEN is set)",
  },
  {
    name: "go-live.poll",
    schedule: "*/5 * * * *",
    description: "Go-live fallback: poll Twitch (100 per call), Kick, and YouTube channels without a WebSub lease; renew leases",
  },
  {
    name: "analytics.purge",
    schedule: "0 * * * *",
    description: "Forget analytics event ids older than 7 days (they only guard against counting a redelivered event twice)",
  },
  {
    name: "custom-commands.usage",
    schedule: "*/5 * * * *",
    description: "Write custom command usage counted in the cache to Postgres (touches Postgres only when something was used)",
  },
  {
    name: "inbox.purge",
    schedule: "0 * * * *",
    description: "Delete unified inbox notifications older than each tenant's retention (default 90 days)",
  },
  {
    name: "connections.refresh",
    schedule: "*/5 * * * *",
    description: "Refresh platform connection tokens (Twitch, YouTube, Kick) that expire within 15 minutes; refused grants become needs re-authorization",
  },
  {
    name: "connections.validate",
    schedule: "0 * * * *",
    description: "Validate every Twitch user token (GET /oauth2/validate, hourly as Twitch requires); a token Twitch refuses needs re-authorization",
  },
  {
    name: "youtube.live-chat-discovery",
    schedule: "*/5 * * * *",
    description: "Start the chat bot's YouTube chat reader for channels go-live does not follow: liveBroadcasts.list (1 unit) per channel without a running reader; nothing from 95% of the day's quota",
  },
  {
    name: "idle-gates.rebuild",
    schedule: "0 * * * *",
    description: "Seed again what the */5 jobs read from the cache to skip Postgres when they have nothing to do (cron/idle-gates.ts)",
  },
] as const satisfies readonly JobInfo[];

export type JobName = (typeof JOBS)[number]["name"];

export function jobsOn(cron: string): JobInfo[] {
  return JOBS.filter((job) => job.schedule === cron);
}

export function isSchedule(value: string): value is CronSchedule {
  return (CRON_SCHEDULES as readonly string[]).includes(value);
}
