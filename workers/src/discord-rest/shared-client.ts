// One DiscordRest per isolate and configuration, so every request and queue batch in the isolate shares what the
// client learnt about Discord's buckets, the global limit and the invalid-request count.
import type { Config } from "../config/config.ts";
import { DiscordRest } from "./discord-rest.ts";

const clients = new Map<string, DiscordRest>();

export function discordRestFor(config: Pick<Config, "DISCORD_API_BASE" | "DISCORD_BOT_TOKEN">): DiscordRest {
  const key = `${config.DISCORD_API_BASE}|${config.DISCORD_BOT_TOKEN ?? ""}`;
  let client = clients.get(key);
  if (!client) {
    client = new DiscordRest({ baseUrl: config.DISCORD_API_BASE, botToken: config.DISCORD_BOT_TOKEN });
    clients.set(key, client);
  }
  return client;
}
