// One DiscordRest per isolate and configuration, so every request and queue batch in the isolate shares what the
// client learnt about Discord's buckets; the global limit and the invalid-request count are shared further, with
// every isolate of the bot, through DiscordLimits once the isolate's services have named its namespace.
import type { Config } from "../config/config.ts";
import { createLogger } from "../logging/logger.ts";
import { DiscordRest } from "./discord-rest.ts";
import { type DiscordLimitsNamespace, sharedLimitsOf } from "./shared-limits.ts";

const clients = new Map<string, DiscordRest>();
let limitsNs: DiscordLimitsNamespace | undefined;

/** The isolate's DiscordLimits namespace (createServices passes env.DISCORD_LIMITS); clients made after share it. */
export function shareDiscordLimits(ns: DiscordLimitsNamespace | undefined): void {
  limitsNs ??= ns;
}

export function discordRestFor(config: Pick<Config, "DISCORD_API_BASE" | "DISCORD_BOT_TOKEN" | "LOG_LEVEL">): DiscordRest {
  const key = `${config.DISCORD_API_BASE}|${config.DISCORD_BOT_TOKEN ?? ""}|${limitsNs ? "shared" : "alone"}`;
  let client = clients.get(key);
  if (!client) {
    const logger = createLogger({ service: "discord-rest" }, config.LOG_LEVEL);
    client = new DiscordRest({
      baseUrl: config.DISCORD_API_BASE,
      botToken: config.DISCORD_BOT_TOKEN,
      ...(limitsNs ? sharedLimitsOf(limitsNs, config.DISCORD_BOT_TOKEN, { onUnavailable: (err) => logger.warn("DiscordLimits unreachable; limiting this isolate alone", { err }) }) : {}),
    });
    clients.set(key, client);
  }
  return client;
}
