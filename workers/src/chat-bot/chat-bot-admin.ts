// The chat bot's configuration as domain functions for the dashboard: channels, commands, timers, anti-spam settings
// and the moderation log, each tenant-scoped, each change audited. Timer and channel changes re-sync the tenant's
// ChatTimers object so its alarm follows them without reading Postgres itself. Every change the bot reads per chat line
// (channels, commands, anti-spam) drops its cached copy (chat-config.ts). A channel may speak as one of the tenant's
// platform connections (its OAuth token) instead of the app's token: it must be of the channel's platform and hold the
// chat bot's scopes. A Twitch channel is heard through its own channel.chat.message subscription
// (twitch-chat-subscription.ts), made on add and on a save that changes the bot or finds it missing, deleted on remove.
import { type StreamPlatform, api, chatChannels, chatCommands, chatTimers, moderationLog, moderationSettings, newId, platformConnections } from "@nebula/schema";
import { and, asc, desc, eq, ilike, lt, or } from "drizzle-orm";
import { type Caller, recordAudit } from "../audit/audit.ts";
import type { Cache } from "../cache/cache.ts";
import type { Config } from "../config/config.ts";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import { markIdleGateChanged } from "../cron/idle-gates.ts";
import { AppError } from "../errors/app-error.ts";
import { featuresOf } from "../connections/connect-flow.ts";
import type { Logger } from "../logging/logger.ts";
import { channelRef } from "./chat-bot.ts";
import { forgetChatChannel, forgetChatTenantConfig, loadAntiSpamSettings } from "./chat-config.ts";
import { commandTemplateWarnings } from "./command-engine.ts";
import { subscribeTwitchChat, unsubscribeTwitchChat } from "./twitch-chat-subscription.ts";

export interface ChatBotAdminDeps {
  db: Db;
  cache: Cache;
  config: Config;
  logger: Logger;
  now: () => Date;
  requestId?: string;
  /** Absent where the binding is not deployed: timers then simply do not run. */
  timers: Env["CHAT_TIMERS"] | null;
}

type CommandRow = typeof chatCommands.$inferSelect;
type TimerRow = typeof chatTimers.$inferSelect;
type ChannelRow = typeof chatChannels.$inferSelect;
type ConnectionRow = typeof platformConnections.$inferSelect;
type BotAccountRow = Pick<ConnectionRow, "id" | "platform" | "login" | "displayName" | "scopes">;

const notFound = (what: string) => new AppError("NOT_FOUND", `${what} not found`);

export const commandView = (r: CommandRow): api.ChatCommandView => ({
  id: r.id,
  name: r.name,
  aliases: r.aliases,
  response: r.response,
  permission: r.permission,
  userCooldownSeconds: r.userCooldownSeconds,
  globalCooldownSeconds: r.globalCooldownSeconds,
  platforms: r.platforms,
  enabled: r.enabled,
  useCount: r.useCount,
  lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
  warnings: commandTemplateWarnings(r.response).warnings,
});
export const timerView = (r: TimerRow): api.ChatTimerView => ({ id: r.id, name: r.name, message: r.message, intervalMinutes: r.intervalMinutes, minLines: r.minLines, platforms: r.platforms, enabled: r.enabled });
const botAccountView = (c: BotAccountRow): api.ChatBotAccountView => ({ connectionId: c.id, login: c.login, displayName: c.displayName, chatScopes: featuresOf(c.platform, c.scopes).chatbot });

function chatSubscriptionView(r: ChannelRow): api.ChatChannelView["chatSubscription"] {
  if (r.platform !== "twitch") return null;
  if (r.chatSubscriptionId) return { subscribed: true, reason: null };
  return r.chatSubscriptionFailure ? { subscribed: false, reason: r.chatSubscriptionFailure } : null;
}

/** `account`: the channel's linked connection (null for the app's token). */
export const channelView = ({ row: r, account }: { row: ChannelRow; account: BotAccountRow | null }): api.ChatChannelView => ({
  id: r.id,
  platform: r.platform,
  channelId: r.channelId,
  channelLogin: r.channelLogin,
  botUserId: r.botUserId,
  botIsModerator: r.botIsModerator,
  botAccount: account ? botAccountView(account) : null,
  chatSubscription: chatSubscriptionView(r),
  enabled: r.enabled,
  createdAt: r.createdAt.toISOString(),
});

const botAccountColumns = { id: platformConnections.id, platform: platformConnections.platform, login: platformConnections.login, displayName: platformConnections.displayName, scopes: platformConnections.scopes };

/** The tenant's channels with the connection each speaks as (a connection of another tenant is never joined). */
function channelsWithAccounts(db: Db, tenantId: string, channelRowId?: string) {
  return db
    .select({ row: chatChannels, account: botAccountColumns })
    .from(chatChannels)
    .leftJoin(platformConnections, and(eq(platformConnections.id, chatChannels.connectionId), eq(platformConnections.tenantId, chatChannels.tenantId)))
    .where(and(eq(chatChannels.tenantId, tenantId), channelRowId ? eq(chatChannels.id, channelRowId) : undefined))
    .orderBy(asc(chatChannels.createdAt));
}

export async function chatBotOverview(deps: ChatBotAdminDeps, tenantId: string): Promise<api.ChatBotOverview> {
  const [channels, commands, timers, antiSpam] = await Promise.all([
    channelsWithAccounts(deps.db, tenantId),
    deps.db.select().from(chatCommands).where(eq(chatCommands.tenantId, tenantId)).orderBy(asc(chatCommands.name)),
    deps.db.select().from(chatTimers).where(eq(chatTimers.tenantId, tenantId)).orderBy(asc(chatTimers.createdAt)),
    loadAntiSpamSettings(deps.db, tenantId),
  ]);
  return { channels: channels.map(channelView), commands: commands.map(commandView), timers: timers.map(timerView), antiSpam };
}

function assertTemplate(response: string): void {
  const { errors } = commandTemplateWarnings(response);
  if (errors.length > 0) throw new AppError("BAD_REQUEST", "The response template has errors", { details: { issues: errors.map((message) => ({ path: "response", code: "custom", message })) } });
}

function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) if ((e as { code?: string }).code === "23505") return true;
  return false;
}

async function assertNamesFree(db: Db, tenantId: string, names: string[], exceptId: string | null): Promise<void> {
  const rows = await db.select({ id: chatCommands.id, name: chatCommands.name, aliases: chatCommands.aliases }).from(chatCommands).where(eq(chatCommands.tenantId, tenantId));
  const taken = new Set(rows.filter((r) => r.id !== exceptId).flatMap((r) => [r.name, ...r.aliases]));
  taken.add("permit");
  const clash = names.find((n) => taken.has(n));
  if (clash) throw new AppError("CONFLICT", `!${clash} is already a command or alias`);
  if (new Set(names).size !== names.length) throw new AppError("BAD_REQUEST", "A command's aliases must differ from its name and each other");
}

export async function createChatCommand(deps: ChatBotAdminDeps, tenantId: string, input: api.CreateChatCommandRequest & { aliases: string[] }, actor: Caller): Promise<CommandRow> {
  const values = api.CreateChatCommandRequest.parse(input);
  assertTemplate(values.response);
  await assertNamesFree(deps.db, tenantId, [values.name, ...values.aliases], null);
  try {
    const [row] = await deps.db.insert(chatCommands).values({ id: newId("chatCommand"), tenantId, ...values }).returning();
    await recordAudit(deps.db, actor, { tenantId, action: "chatbot.command.create", targetType: "chat_command", targetId: row?.id, details: { name: values.name } }, deps.requestId);
    await forgetChatTenantConfig(deps.cache, tenantId);
    return row as CommandRow;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("CONFLICT", `!${values.name} already exists`);
    throw err;
  }
}

export async function updateChatCommand(deps: ChatBotAdminDeps, tenantId: string, id: string, change: Partial<api.CreateChatCommandRequest>, actor: Caller): Promise<CommandRow> {
  const [current] = await deps.db.select().from(chatCommands).where(and(eq(chatCommands.id, id), eq(chatCommands.tenantId, tenantId)));
  if (!current) throw notFound("Command");
  const values = api.UpdateChatCommandRequest.parse(change);
  if (values.response !== undefined) assertTemplate(values.response);
  if (values.name !== undefined || values.aliases !== undefined) await assertNamesFree(deps.db, tenantId, [values.name ?? current.name, ...(values.aliases ?? current.aliases)], id);
  const [row] = await deps.db.update(chatCommands).set({ ...values, updatedAt: deps.now() }).where(and(eq(chatCommands.id, id), eq(chatCommands.tenantId, tenantId))).returning();
  await recordAudit(deps.db, actor, { tenantId, action: "chatbot.command.update", targetType: "chat_command", targetId: id, details: { fields: Object.keys(values) } }, deps.requestId);
  await forgetChatTenantConfig(deps.cache, tenantId);
  return row as CommandRow;
}

export async function deleteChatCommand(deps: ChatBotAdminDeps, tenantId: string, id: string, actor: Caller): Promise<void> {
  const gone = await deps.db.delete(chatCommands).where(and(eq(chatCommands.id, id), eq(chatCommands.tenantId, tenantId))).returning({ id: chatCommands.id });
  if (gone.length === 0) throw notFound("Command");
  await recordAudit(deps.db, actor, { tenantId, action: "chatbot.command.delete", targetType: "chat_command", targetId: id }, deps.requestId);
  await forgetChatTenantConfig(deps.cache, tenantId);
}

// ---- timers ----

/** Hands the tenant's timers and channels to its ChatTimers object. */
export async function syncTimers(deps: Pick<ChatBotAdminDeps, "db" | "cache" | "now" | "timers">, tenantId: string): Promise<void> {
  if (!deps.timers) return;
  const [timers, channels] = await Promise.all([
    deps.db.select().from(chatTimers).where(eq(chatTimers.tenantId, tenantId)),
    deps.db.select().from(chatChannels).where(and(eq(chatChannels.tenantId, tenantId), eq(chatChannels.enabled, true))),
  ]);
  await deps.timers.getByName(tenantId).sync({
    tenantId,
    timers: timers.map((t) => ({ id: t.id, message: t.message, intervalMinutes: t.intervalMinutes, minLines: t.minLines, platforms: t.platforms, enabled: t.enabled })),
    channels: channels.map((c) => ({ id: c.id, platform: c.platform, ref: channelRef(c) })),
  });
}

export async function createChatTimer(deps: ChatBotAdminDeps, tenantId: string, input: unknown, actor: Caller): Promise<TimerRow> {
  const values = api.CreateChatTimerRequest.parse(input);
  const [row] = await deps.db.insert(chatTimers).values({ id: newId("chatTimer"), tenantId, ...values }).returning();
  await recordAudit(deps.db, actor, { tenantId, action: "chatbot.timer.create", targetType: "chat_timer", targetId: row?.id }, deps.requestId);
  await syncTimers(deps, tenantId);
  return row as TimerRow;
}

export async function updateChatTimer(deps: ChatBotAdminDeps, tenantId: string, id: string, change: unknown, actor: Caller): Promise<TimerRow> {
  const values = api.UpdateChatTimerRequest.parse(change);
  const [row] = await deps.db.update(chatTimers).set({ ...values, updatedAt: deps.now() }).where(and(eq(chatTimers.id, id), eq(chatTimers.tenantId, tenantId))).returning();
  if (!row) throw notFound("Timer");
  await recordAudit(deps.db, actor, { tenantId, action: "chatbot.timer.update", targetType: "chat_timer", targetId: id, details: { fields: Object.keys(values) } }, deps.requestId);
  await syncTimers(deps, tenantId);
  return row;
}

export async function deleteChatTimer(deps: ChatBotAdminDeps, tenantId: string, id: string, actor: Caller): Promise<void> {
  const gone = await deps.db.delete(chatTimers).where(and(eq(chatTimers.id, id), eq(chatTimers.tenantId, tenantId))).returning({ id: chatTimers.id });
  if (gone.length === 0) throw notFound("Timer");
  await recordAudit(deps.db, actor, { tenantId, action: "chatbot.timer.delete", targetType: "chat_timer", targetId: id }, deps.requestId);
  await syncTimers(deps, tenantId);
}

// ---- channels ----

export interface ChatChannelWithAccount {
  row: ChannelRow;
  account: BotAccountRow | null;
}

/**
 * The connection a channel's bot is to speak with: the tenant's own (another tenant's is the same 404 as a missing
 * one), of the channel's platform, holding the chat bot's scopes (sending and moderating need them: Twitch's
 * user:write:chat, user:bot, moderator:manage:*; YouTube's force-ssl; Kick's chat:write).
 */
export async function chatBotConnection(db: Db, tenantId: string, platform: StreamPlatform, connectionId: string): Promise<ConnectionRow> {
  const [connection] = await db
    .select()
    .from(platformConnections)
    .where(and(eq(platformConnections.id, connectionId), eq(platformConnections.tenantId, tenantId)))
    .limit(1);
  if (!connection) throw notFound("Connection");
  if (connection.platform !== platform) throw new AppError("BAD_REQUEST", `That connection is a ${connection.platform} account; this channel is on ${platform}`, { details: { issues: [{ path: "connectionId", code: "custom", message: "is of another platform" }] } });
  if (!featuresOf(connection.platform, connection.scopes).chatbot) {
    throw new AppError("BAD_REQUEST", `${connection.login} has not granted the chat bot's scopes: enable the chat bot on its connection first`, { details: { issues: [{ path: "connectionId", code: "custom", message: "lacks the chat bot's scopes" }], reason: "missing_chat_scopes" } });
  }
  return connection;
}

/** With a connection the bot speaks as its account: the sender id is the connection's own user id. */
function botUserIdFor(connection: ConnectionRow, asked: string | undefined): string {
  if (asked !== undefined && asked !== connection.platformUserId) {
    throw new AppError("BAD_REQUEST", "The bot speaks as the connection's account; leave botUserId out or use that account's id", { details: { issues: [{ path: "botUserId", code: "custom", message: "differs from the connection's account" }] } });
  }
  return connection.platformUserId;
}

/** Kick: sending chat needs a user token with chat:write (POST /public/v1/chat); the app token cannot speak. */
function assertSpeaks(platform: StreamPlatform, connectionId: string | null): void {
  if (platform === "kick" && !connectionId) {
    throw new AppError("BAD_REQUEST", "A Kick chat bot speaks as a connected Kick account: connect the bot account with the chat bot enabled and choose it", { details: { issues: [{ path: "connectionId", code: "custom", message: "is needed on Kick: the app token cannot send chat" }] } });
  }
}

export async function addChatChannel(deps: ChatBotAdminDeps, tenantId: string, input: unknown, actor: Caller): Promise<ChatChannelWithAccount> {
  const { botUserId: askedBotUserId, connectionId, ...values } = api.CreateChatChannelRequest.parse(input);
  assertSpeaks(values.platform, connectionId);
  const connection = connectionId ? await chatBotConnection(deps.db, tenantId, values.platform, connectionId) : null;
  const botUserId = connection ? botUserIdFor(connection, askedBotUserId) : (askedBotUserId as string);
  try {
    const [row] = await deps.db.insert(chatChannels).values({ id: newId("chatChannel"), tenantId, ...values, botUserId, connectionId }).returning();
    await recordAudit(deps.db, actor, { tenantId, action: "chatbot.channel.add", targetType: "chat_channel", targetId: row?.id, details: { platform: values.platform, channel: values.channelLogin, connectionId } }, deps.requestId);
    // Its chat may have been remembered as a channel without a bot.
    await forgetChatChannel(deps.cache, values);
    // The */5 YouTube broadcast discovery skips Postgres while there is no YouTube channel.
    if (values.platform === "youtube") await markIdleGateChanged(deps.cache, "youtube.live-chat-discovery");
    await syncTimers(deps, tenantId);
    return { row: await subscribeTwitchChat(deps, row as ChannelRow), account: connection };
  } catch (err) {
    // One bot per channel across tenants: events are routed by (platform, channel id).
    if (isUniqueViolation(err)) throw new AppError("CONFLICT", "This channel already has a chat bot");
    throw err;
  }
}

/**
 * Changes a channel; relinking it (another connection, or null for the app's token) reaches the bot through the same
 * forgets as any edit: the cached row (chat-config.ts) and the ChatTimers copy. The ChatOutbox holds tokens per
 * connection id, so a channel that now names another connection has its next send read that connection's token.
 */
export async function updateChatChannel(deps: ChatBotAdminDeps, tenantId: string, id: string, change: unknown, actor: Caller): Promise<ChatChannelWithAccount> {
  const { connectionId, botUserId: askedBotUserId, ...values } = api.UpdateChatChannelRequest.parse(change);
  const [current] = await channelsWithAccounts(deps.db, tenantId, id);
  if (!current) throw notFound("Channel");
  const connection = connectionId ? await chatBotConnection(deps.db, tenantId, current.row.platform, connectionId) : null;
  const linked = connectionId === undefined ? current.row.connectionId : connectionId;
  if (connectionId !== undefined) assertSpeaks(current.row.platform, linked);
  const botUserId = connection ? botUserIdFor(connection, askedBotUserId) : askedBotUserId;
  if (connectionId === undefined && linked && askedBotUserId !== undefined && askedBotUserId !== current.row.botUserId) {
    throw new AppError("BAD_REQUEST", "The bot speaks as the linked connection's account; unlink it to choose another bot user id");
  }
  const set = { ...values, ...(botUserId === undefined ? {} : { botUserId }), ...(connectionId === undefined ? {} : { connectionId }), updatedAt: deps.now() };
  const [row] = await deps.db.update(chatChannels).set(set).where(and(eq(chatChannels.id, id), eq(chatChannels.tenantId, tenantId))).returning();
  if (!row) throw notFound("Channel");
  if (row.platform === "youtube" && values.enabled !== undefined) await markIdleGateChanged(deps.cache, "youtube.live-chat-discovery");
  await recordAudit(deps.db, actor, { tenantId, action: "chatbot.channel.update", targetType: "chat_channel", targetId: id, details: { ...values, ...(botUserId === undefined ? {} : { botUserId }), ...(connectionId === undefined ? {} : { connectionId }) } }, deps.requestId);
  await forgetChatChannel(deps.cache, row);
  await syncTimers(deps, tenantId);
  // Another bot hears through another subscription; a save also retries one Twitch refused before.
  const botChanged = row.botUserId !== current.row.botUserId;
  if (botChanged && row.platform === "twitch") await unsubscribeTwitchChat(deps, current.row);
  const heard = botChanged || !row.chatSubscriptionId ? await subscribeTwitchChat(deps, row) : row;
  return { row: heard, account: connectionId === undefined ? current.account : connection };
}

export async function removeChatChannel(deps: ChatBotAdminDeps, tenantId: string, id: string, actor: Caller): Promise<void> {
  const gone = await deps.db.delete(chatChannels).where(and(eq(chatChannels.id, id), eq(chatChannels.tenantId, tenantId))).returning({ id: chatChannels.id, platform: chatChannels.platform, channelId: chatChannels.channelId, botUserId: chatChannels.botUserId });
  if (!gone[0]) throw notFound("Channel");
  await forgetChatChannel(deps.cache, gone[0]);
  if (gone[0].platform === "twitch") await unsubscribeTwitchChat(deps, gone[0]);
  if (gone[0].platform === "youtube") await markIdleGateChanged(deps.cache, "youtube.live-chat-discovery");
  await recordAudit(deps.db, actor, { tenantId, action: "chatbot.channel.remove", targetType: "chat_channel", targetId: id }, deps.requestId);
  await syncTimers(deps, tenantId);
}

// ---- anti-spam and the log ----

export async function saveAntiSpamSettings(deps: ChatBotAdminDeps, tenantId: string, settings: api.AntiSpamSettings, actor: Caller): Promise<api.AntiSpamSettings> {
  await deps.db
    .insert(moderationSettings)
    .values({ tenantId, settings, updatedAt: deps.now() })
    .onConflictDoUpdate({ target: moderationSettings.tenantId, set: { settings, updatedAt: deps.now() } });
  await recordAudit(deps.db, actor, { tenantId, action: "chatbot.antispam.update", targetType: "moderation_settings", targetId: tenantId }, deps.requestId);
  await forgetChatTenantConfig(deps.cache, tenantId);
  return settings;
}

export async function moderationLogPage(deps: Pick<ChatBotAdminDeps, "db">, tenantId: string, q: { platform?: string; rule?: string; action?: string; user?: string; before?: string; limit: number }): Promise<{ entries: api.ModerationLogEntry[]; next: string | null }> {
  const where = [eq(moderationLog.tenantId, tenantId)];
  if (q.platform) where.push(eq(moderationLog.platform, q.platform as ChannelRow["platform"]));
  if (q.rule) where.push(eq(moderationLog.rule, q.rule as (typeof moderationLog.$inferSelect)["rule"]));
  if (q.action) where.push(eq(moderationLog.action, q.action as (typeof moderationLog.$inferSelect)["action"]));
  if (q.user) {
    const like = `%${q.user.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    where.push(or(ilike(moderationLog.userName, like), eq(moderationLog.userId, q.user)) as ReturnType<typeof eq>);
  }
  if (q.before) where.push(lt(moderationLog.createdAt, new Date(q.before)));
  const rows = await deps.db.select().from(moderationLog).where(and(...where)).orderBy(desc(moderationLog.createdAt)).limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  return {
    entries: page.map((r) => ({ id: r.id, platform: r.platform, channelId: r.channelId, userId: r.userId, userName: r.userName, rule: r.rule, action: r.action, durationSeconds: r.durationSeconds, strike: r.strike, excerpt: r.excerpt, error: r.error, createdAt: r.createdAt.toISOString() })),
    next: rows.length > q.limit ? (page.at(-1)?.createdAt.toISOString() ?? null) : null,
  };
}
