// What the chat bot needs for every chat line, read from the cache instead of Postgres: the bot that sits in a
// channel (its chat_channels row) and its tenant's anti-spam settings and commands. A busy channel sends several lines
// a second, each waiting on these before a reply can leave; dashboard edits drop the cached copy (chat-bot-admin.ts),
// and a TTL bounds anything an edit elsewhere (a deleted tenant) leaves behind.
import { type StreamPlatform, api, chatChannels, chatCommands, moderationSettings } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import type { Cache } from "../cache/cache.ts";
import type { Db } from "../db/client.ts";
import type { ChatCommand } from "./command-engine.ts";

const TTL_SECONDS = 600;
/** A channel without a bot is remembered briefly too: its chat must not reach Postgres line by line either. */
const NO_BOT_TTL_SECONDS = 60;
const NO_BOT = "none";

/** The fields of a chat_channels row the bot reads while answering. */
export type ChatBotChannel = Pick<typeof chatChannels.$inferSelect, "id" | "tenantId" | "platform" | "channelId" | "channelLogin" | "botUserId" | "botIsModerator" | "connectionId">;

export interface ChatTenantConfig {
  settings: api.AntiSpamSettings;
  commands: ChatCommand[];
}

const channelKey = (platform: StreamPlatform, channelId: string) => `chatbot:channel:${platform}:${channelId}`;
const tenantKey = (tenantId: string) => `chatbot:config:${tenantId}`;

interface ConfigDeps {
  db: Db;
  cache: Cache;
}

/** From the cache, else `load` (then cached). A cache outage falls back to Postgres rather than silencing the bot. */
async function cached<T>(cache: Cache, key: string, ttl: (value: T | null) => number, load: () => Promise<T | null>): Promise<T | null> {
  const hit = await cache.get(key).catch(() => null);
  if (hit === NO_BOT) return null;
  if (hit !== null) return JSON.parse(hit) as T;
  const value = await load();
  await cache.set(key, value === null ? NO_BOT : JSON.stringify(value), { ttlSeconds: ttl(value) }).catch(() => {});
  return value;
}

/** The enabled bot in this channel, or null. */
export function chatChannelOf(deps: ConfigDeps, platform: StreamPlatform, channelId: string): Promise<ChatBotChannel | null> {
  return cached<ChatBotChannel>(deps.cache, channelKey(platform, channelId), (v) => (v ? TTL_SECONDS : NO_BOT_TTL_SECONDS), async () => {
    const [row] = await deps.db
      .select({ id: chatChannels.id, tenantId: chatChannels.tenantId, platform: chatChannels.platform, channelId: chatChannels.channelId, channelLogin: chatChannels.channelLogin, botUserId: chatChannels.botUserId, botIsModerator: chatChannels.botIsModerator, connectionId: chatChannels.connectionId })
      .from(chatChannels)
      .where(and(eq(chatChannels.platform, platform), eq(chatChannels.channelId, channelId), eq(chatChannels.enabled, true)));
    return row ?? null;
  });
}

export async function loadAntiSpamSettings(db: Db, tenantId: string): Promise<api.AntiSpamSettings> {
  const [row] = await db.select({ settings: moderationSettings.settings }).from(moderationSettings).where(eq(moderationSettings.tenantId, tenantId));
  // Parsed again: a document saved by an older version gains the defaults of new fields.
  return api.AntiSpamSettings.parse(row?.settings ?? {});
}

/** The tenant's anti-spam settings and commands (use counts are not part of it: they change on every use). */
export async function chatTenantConfig(deps: ConfigDeps, tenantId: string): Promise<ChatTenantConfig> {
  const config = await cached<ChatTenantConfig>(deps.cache, tenantKey(tenantId), () => TTL_SECONDS, async () => {
    const [settings, commands] = await Promise.all([
      loadAntiSpamSettings(deps.db, tenantId),
      deps.db
        .select({ id: chatCommands.id, name: chatCommands.name, aliases: chatCommands.aliases, response: chatCommands.response, permission: chatCommands.permission, userCooldownSeconds: chatCommands.userCooldownSeconds, globalCooldownSeconds: chatCommands.globalCooldownSeconds, platforms: chatCommands.platforms, enabled: chatCommands.enabled })
        .from(chatCommands)
        .where(eq(chatCommands.tenantId, tenantId)),
    ]);
    return { settings, commands: commands as ChatCommand[] };
  });
  return config as ChatTenantConfig;
}

/** After a change to a channel: the next line in it reads Postgres again. */
export const forgetChatChannel = (cache: Cache, channel: { platform: StreamPlatform; channelId: string }) => cache.delete(channelKey(channel.platform, channel.channelId));

/** After a change to a tenant's commands or anti-spam settings. */
export const forgetChatTenantConfig = (cache: Cache, tenantId: string) => cache.delete(tenantKey(tenantId));
