// The cron registry: the Worker's `scheduled` handler runs the jobs registered on the firing schedule.
import { purgeSeenEvents } from "../analytics/counters.ts";
import { runYouTubeLiveChatDiscovery } from "../chat-bot/youtube-live-chat-discovery.ts";
import { forgetChatToken } from "../chat-bot/chat-outbox.ts";
import { ConfigError, loadConfig } from "../config/config.ts";
import { runConnectionRefresh, runTwitchValidation } from "../connections/connection-jobs.ts";
import type { ConnectionRow } from "../connections/connection-tokens.ts";
import { runCustomCommandUsageFlush } from "../custom-commands/usage.ts";
import { openDb } from "../db/client.ts";
import { getDiscordGatewayByName } from "../discord-gateway/discord-gateway.ts";
import type { Env } from "../env.ts";
import { runGoLivePoll } from "../go-live/poll.ts";
import { purgeExpiredInbox } from "../inbox/inbox-store.ts";
import { type Logger, createLogger } from "../logging/logger.ts";
import { baseLogger, createServices } from "../services/services.ts";
import { IDLE_GATE_NAMES, type IdleGateName, runGated, seedIdleGate } from "./idle-gates.ts";
import { JOBS, type JobName } from "./jobs.ts";
import { type CronJob, runJobs } from "./run-jobs.ts";
import { purgeExpiredCredentials } from "./sessions-purge.ts";

/** New tokens reach the chat bot's outbox at once; if it cannot be told, it reads them within its hold time anyway. */
const tellChatOutbox = (env: Env, logger: Logger) => (row: ConnectionRow) =>
  forgetChatToken(env.CHAT_OUTBOX, row).catch((err: unknown) => logger.warn("the chat outbox was not told of new tokens", { connectionId: row.id, err }));

// A job on the 5-minute schedule first asks its idle gate (cache only) whether there is anything to do: an idle run skips Postgres.
const gated =
  (name: IdleGateName, run: CronJob["run"]): CronJob["run"] =>
  async (env, ctx, logger, scheduledTime = Date.now()) => {
    const scope = createServices(env, loadConfig(env), logger, () => new Date(scheduledTime));
    try {
      if ((await runGated(scope.services, name, () => run(env, ctx, logger, scheduledTime))) === "idle") logger.info("nothing to do; Postgres not asked");
    } finally {
      await scope.dispose();
    }
  };

const runners: Record<JobName, CronJob["run"]> = {
  "connections.refresh": gated("connections.refresh", async (env, _ctx, logger, scheduledTime = Date.now()) => {
    // On the trigger's clock, as its gate is: a token is refreshed in the run the gate let through.
    const scope = createServices(env, loadConfig(env), logger, () => new Date(scheduledTime));
    try {
      logger.info("refreshed platform connection tokens", { ...(await runConnectionRefresh(scope.services, tellChatOutbox(env, logger))) });
    } finally {
      await scope.dispose();
    }
  }),
  "connections.validate": async (env, _ctx, logger) => {
    const scope = createServices(env, loadConfig(env), logger);
    try {
      logger.info("validated twitch tokens", { ...(await runTwitchValidation(scope.services, tellChatOutbox(env, logger))) });
    } finally {
      await scope.dispose();
    }
  },
  "custom-commands.usage": async (env, _ctx, logger) => {
    const config = loadConfig(env);
    const scope = createServices(env, config, logger);
    try {
      await runCustomCommandUsageFlush(scope.services, logger);
    } finally {
      await scope.dispose();
    }
  },
  "sessions.purge": async (env, _ctx, logger) => {
    const handle = openDb(loadConfig(env));
    try {
      const deleted = await purgeExpiredCredentials(handle.db, new Date());
      logger.info("purged expired credentials", { deleted });
    } finally {
      await handle.close().catch(() => {});
    }
  },
  "discord.gateway": async (env, _ctx, logger) => {
    if (!loadConfig(env).DISCORD_BOT_TOKEN) return;
    const status = await getDiscordGatewayByName(env.DISCORD_GATEWAY).ensureRunning();
    if (status.state === "failed") logger.error("discord gateway stopped", { error: status.error, lastClose: status.lastClose });
    else logger.info("discord gateway checked", { state: status.state, seq: status.seq });
  },
  "go-live.poll": gated("go-live.poll", async (env, _ctx, logger) => {
    await runGoLivePoll(env, logger);
  }),
  "inbox.purge": async (env, _ctx, logger) => {
    const handle = openDb(loadConfig(env));
    try {
      logger.info("purged inbox notifications past retention", { deleted: await purgeExpiredInbox(handle.db, new Date()) });
    } finally {
      await handle.close().catch(() => {});
    }
  },
  "youtube.live-chat-discovery": gated("youtube.live-chat-discovery", async (env, _ctx, logger) => {
    const scope = createServices(env, loadConfig(env), logger);
    try {
      logger.info("looked for youtube broadcasts to read the chat of", { ...(await runYouTubeLiveChatDiscovery(env, scope.services)) });
    } finally {
      await scope.dispose();
    }
  }),
  "idle-gates.rebuild": async (env, _ctx, logger) => {
    const scope = createServices(env, loadConfig(env), logger);
    try {
      for (const name of IDLE_GATE_NAMES) await seedIdleGate(scope.services, name);
      logger.info("seeded the */5 jobs' idle gates", { gates: IDLE_GATE_NAMES });
    } finally {
      await scope.dispose();
    }
  },
  "analytics.purge": async (env, _ctx, logger) => {
    const handle = openDb(loadConfig(env));
    try {
      logger.info("purged analytics event ids", { deleted: await purgeSeenEvents(handle.db, new Date()) });
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
  await runJobs(jobs, env, ctx, logger, controller.scheduledTime);
}
