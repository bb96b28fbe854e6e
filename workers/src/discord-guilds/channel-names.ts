// Names of saved channel ids, for pages that show where something posts (alert rules): one GET /guilds/{id}/channels
// per server, cached like the guild itself (Discord rate limits; a renamed channel shows within GUILD_CACHE_SECONDS).
import { z } from "zod";
import type { Cache } from "../cache/cache.ts";
import type { DiscordRest } from "../discord-rest/discord-rest.ts";
import { upstreamStatus } from "../errors/app-error.ts";
import type { Logger } from "../logging/logger.ts";
import { GUILD_CACHE_SECONDS } from "./guild-access.ts";

const ChannelsWire = z.array(z.looseObject({ id: z.string(), name: z.string().nullish() }));

/** Discord answers 403/404 for a server the bot is not in (any more): its channels are unknown, not an error. */
function botLeft(err: unknown): boolean {
  const status = upstreamStatus(err);
  return status === 403 || status === 404;
}

/** id → name of one server's channels; empty when the bot is not configured or not in that server. */
async function channelsOf(rest: DiscordRest, cache: Cache, guildId: string): Promise<Record<string, string>> {
  const key = `discord:guild-channel-names:${guildId}`;
  const hit = await cache.get(key);
  if (hit) return JSON.parse(hit) as Record<string, string>;
  let names: Record<string, string> = {};
  try {
    const channels = ChannelsWire.parse(await rest.request({ method: "GET", path: `/guilds/${guildId}/channels`, auth: "bot", idempotent: true }));
    names = Object.fromEntries(channels.filter((c) => c.name).map((c) => [c.id, c.name as string]));
  } catch (err) {
    if (!botLeft(err)) throw err;
  }
  await cache.set(key, JSON.stringify(names), { ttlSeconds: GUILD_CACHE_SECONDS });
  return names;
}

/**
 * The names Discord has now for these channels (each with the server it was saved with), by channel id. A channel
 * that is gone, in a server the bot left, or unreadable while Discord fails is simply missing: the page shows its id
 * as unknown rather than failing to list what is saved.
 */
export async function channelNames(rest: DiscordRest, cache: Cache, logger: Logger, channels: { guildId: string; channelId: string }[]): Promise<Record<string, string>> {
  if (!rest.hasBotToken || channels.length === 0) return {};
  const guildIds = [...new Set(channels.map((c) => c.guildId))];
  const byGuild = await Promise.all(
    guildIds.map((guildId) =>
      channelsOf(rest, cache, guildId).catch((err: unknown) => {
        logger.warn("discord channel names unavailable", { guildId, err });
        return {} as Record<string, string>;
      }),
    ),
  );
  const known = new Map(guildIds.map((id, i) => [id, byGuild[i] ?? {}]));
  const names: Record<string, string> = {};
  for (const { guildId, channelId } of channels) {
    const name = known.get(guildId)?.[channelId];
    if (name !== undefined) names[channelId] = name;
  }
  return names;
}
