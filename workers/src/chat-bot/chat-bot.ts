// A chat message through the bot: find the channel's tenant, count the line (for timers), run anti-spam (delete,
// warn, timeout with escalation, logged), then built-in commands (!permit) and custom commands (permission, cooldowns,
// the shared template) whose replies leave through the bot's ChatOutbox. Runs right after the webhook has answered (or
// in the queue consumer); the same path serves Twitch, Kick and YouTube messages. The channel, settings and commands
// come from the cache (chat-config.ts): a command's reply waits on no Postgres read, and its use count is written after.
// The song-request commands (!sr, !song, !skip, !wrongsong) are built in too (song-requests/song-commands.ts).
import { type ChatPermissionLevel, type StreamPlatform, type api, chatCommands, moderationLog, newId } from "@nebula/schema";
import { eq, sql } from "drizzle-orm";
import type { Cache } from "../cache/cache.ts";
import type { Config } from "../config/config.ts";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import type { Logger } from "../logging/logger.ts";
import type { PlatformClients } from "../platforms/platform-clients.ts";
import { isSongRequestLink, runSongCommand } from "../song-requests/song-commands.ts";
import { songSettingsOnce } from "../song-requests/song-requests.ts";
import { renderTemplate } from "../templates/template.ts";
import { type RecentLine, checkMessage, normalizeForRepeat, rememberLine, stepForStrike } from "./anti-spam.ts";
import { type ChatBotChannel, chatChannelOf, chatTenantConfig } from "./chat-config.ts";
import type { ChatMessage } from "./chat-message.ts";
import type { OutgoingChat } from "./chat-outbox.ts";
import { isOwnMessage } from "./own-messages.ts";
import { findCommand, mayUse, needsStreamInfo, parseInvocation, renderReply, usesCount } from "./command-engine.ts";
import { claimCooldowns } from "./cooldowns.ts";
import type { ChatChannelRef, ChatPlatform } from "./platform-chat.ts";

export type ChatChannelRow = ChatBotChannel;

export interface ChatBotDeps {
  db: Db;
  cache: Cache;
  config: Config;
  logger: Logger;
  now: () => Date;
  clients: PlatformClients;
  /** Hands messages to the bot account's ChatOutbox (limited there). */
  send(items: OutgoingChat[]): Promise<void>;
  /** Moderation calls for a platform (delete, timeout). */
  moderator(platform: StreamPlatform): ChatPlatform;
  /** The tenants' song-request queues (!sr, !skip…). */
  songQueues: Env["SONG_QUEUE"];
  random?: () => number;
}

export const linesKey = (channelRowId: string) => `chatbot:lines:${channelRowId}`;
const recentKey = (tenantId: string, m: ChatMessage) => `chatbot:recent:${tenantId}:${m.platform}:${m.user.id}`;
const strikesKey = (tenantId: string, m: ChatMessage) => `chatbot:strikes:${tenantId}:${m.platform}:${m.user.id}`;
export const permitKey = (tenantId: string, platform: StreamPlatform, login: string) => `chatbot:permit:${tenantId}:${platform}:${login.toLowerCase().replace(/^@/, "")}`;
/** Lines are counted for a week: longer than any timer interval. */
const LINES_TTL_SECONDS = 7 * 86_400;

export const channelRef = (row: ChatChannelRow): ChatChannelRef => ({ platform: row.platform, channelId: row.channelId, botUserId: row.botUserId, botIsModerator: row.botIsModerator, connectionId: row.connectionId });

/**
 * The bot's own messages come back as chat events too: it never answers (or moderates) itself. A bot account of its
 * own says nothing else; a bot that speaks as the broadcaster (YouTube without a bot account) shares their id, so only
 * the ids its outbox recorded are its own and the broadcaster's typed !commands are answered.
 */
async function isBotsOwnLine(cache: Cache, channel: ChatChannelRow, message: ChatMessage): Promise<boolean> {
  if (message.user.id === channel.botUserId && channel.botUserId !== channel.channelId) return true;
  return message.user.id === channel.channelId && (await isOwnMessage(cache, message.platform, message.messageId));
}

export type ChatOutcome = { kind: "ignored" } | { kind: "moderated"; rule: string; action: string } | { kind: "replied"; command: string } | { kind: "cooldown" | "denied" | "none" };

export async function handleChatMessage(deps: ChatBotDeps, message: ChatMessage): Promise<ChatOutcome> {
  const channel = await chatChannelOf(deps, message.platform, message.channelId);
  if (!channel || (await isBotsOwnLine(deps.cache, channel, message))) return { kind: "ignored" };
  const [config] = await Promise.all([chatTenantConfig(deps, channel.tenantId), deps.cache.incr(linesKey(channel.id), LINES_TTL_SECONDS)]);
  const { settings, commands } = config;
  // "!sr <YouTube link or id>" is how viewers request songs: the rules that misread a link or an id (links; caps and
  // symbols on an id like "dQW4W9WGXCQ"; repeats, as several requests in a minute look alike) must not delete it. The
  // queue's per-user limit is what holds a requester back; banned words, length and zalgo still apply.
  const songSettings = songSettingsOnce(deps.db, channel.tenantId);
  const songRequest = settings.enabled && (await isSongRequestLink(songSettings, message.text));
  const off = <T extends { enabled: boolean }>(rule: T): T => ({ ...rule, enabled: false });
  const antiSpam = songRequest ? { ...settings, links: off(settings.links), caps: off(settings.caps), symbols: off(settings.symbols), repeats: off(settings.repeats) } : settings;
  const moderated = await runAntiSpam(deps, channel, antiSpam, message);
  if (moderated) return moderated;

  const invocation = parseInvocation(message.text);
  if (!invocation) return { kind: "none" };
  if (invocation.name === "permit") return permit(deps, channel, settings, message, invocation.args[0]);
  const song = await runSongCommand(deps, channel, channelRef(channel), message, invocation, songSettings);
  if (song) return song;

  const command = findCommand(commands, invocation.name, message.platform);
  if (!command) return { kind: "none" };
  if (!mayUse(message.user.roles, command.permission as ChatPermissionLevel)) return { kind: "denied" };
  if (!(await claimCooldowns(deps.cache, channel.tenantId, command, message.user.id))) return { kind: "cooldown" };

  const countUse = async () => {
    const [used] = await deps.db
      .update(chatCommands)
      .set({ useCount: sql`${chatCommands.useCount} + 1`, lastUsedAt: deps.now() })
      .where(eq(chatCommands.id, command.id))
      .returning({ useCount: chatCommands.useCount });
    return used?.useCount ?? 0;
  };
  // Only a reply that shows {count} waits for the write; any other is sent first and counted after.
  const count = usesCount(command.response) ? await countUse() : null;
  const stream = needsStreamInfo(command.response) ? await streamInfo(deps, channel) : null;
  const text = renderReply(
    command.response,
    { user: { name: message.user.name, login: message.user.login }, channel: channel.channelLogin, platform: message.platform, count: count ?? 0, args: invocation.args, stream, now: deps.now() },
    deps.random,
  );
  await deps.send([{ tenantId: channel.tenantId, channel: channelRef(channel), text, replyTo: message.messageId }]);
  if (count === null) {
    // The reply is out: a failed count must not fail the event, or its queue retry would send the reply again.
    await countUse().catch((err: unknown) => deps.logger.warn("chat command use not counted", { err, command: command.id }));
  }
  return { kind: "replied", command: command.name };
}

async function streamInfo(deps: ChatBotDeps, channel: ChatChannelRow): Promise<{ startedAt: Date; game: string; title: string } | null> {
  if (channel.platform !== "twitch" || !deps.clients.twitch) return null;
  try {
    const [live] = await deps.clients.twitch.getStreams([channel.channelId]);
    return live ? { startedAt: new Date(live.started_at), game: live.game_name, title: live.title } : null;
  } catch (err) {
    deps.logger.warn("stream info unavailable for a chat command", { err });
    return null;
  }
}

async function permit(deps: ChatBotDeps, channel: ChatChannelRow, settings: api.AntiSpamSettings, message: ChatMessage, target: string | undefined): Promise<ChatOutcome> {
  if (!mayUse(message.user.roles, "moderator")) return { kind: "denied" };
  if (!target) return { kind: "none" };
  const login = target.replace(/^@/, "").toLowerCase();
  await deps.cache.set(permitKey(channel.tenantId, message.platform, login), "1", { ttlSeconds: settings.links.permitSeconds });
  await deps.send([{ tenantId: channel.tenantId, channel: channelRef(channel), text: `@${login} may post a link for ${settings.links.permitSeconds} seconds.`, replyTo: null }]);
  return { kind: "replied", command: "permit" };
}

async function runAntiSpam(deps: ChatBotDeps, channel: ChatChannelRow, settings: api.AntiSpamSettings, message: ChatMessage): Promise<ChatOutcome | null> {
  if (!settings.enabled) return null;
  const now = deps.now().getTime();
  const rKey = recentKey(channel.tenantId, message);
  const recent = JSON.parse((await deps.cache.get(rKey)) ?? "[]") as RecentLine[];
  const pKey = permitKey(channel.tenantId, message.platform, message.user.login);
  const permitted = settings.links.enabled && (await deps.cache.get(pKey)) !== null;
  const violation = checkMessage(message, settings, { recent, permitted, now });
  const windowMs = settings.repeats.windowSeconds * 1000;
  await deps.cache.set(rKey, JSON.stringify(rememberLine(recent, { text: normalizeForRepeat(message.text), at: now }, windowMs)), { ttlSeconds: settings.repeats.windowSeconds });
  // A permit covers one link.
  if (permitted && !violation) await deps.cache.delete(pKey);
  if (!violation) return null;

  const strike = await deps.cache.incr(strikesKey(channel.tenantId, message), settings.strikeMemorySeconds);
  const step = stepForStrike(settings.escalation, strike);
  const ref = channelRef(channel);
  const platform = deps.moderator(message.platform);
  const errors: string[] = [];
  const attempt = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (err) {
      deps.logger.warn(`anti-spam ${what} failed`, { err, platform: message.platform });
      errors.push(`${what}: ${err instanceof Error ? err.message : "failed"}`);
    }
  };
  // Every step removes the offending message; a timeout also hides the chatter for its duration.
  await attempt("delete", () => platform.deleteMessage(ref, message.messageId));
  if (step.action === "timeout") await attempt("timeout", () => platform.timeout(ref, message.user.id, step.seconds, `Nebula anti-spam: ${violation.rule} (strike ${strike})`));
  if (step.action === "warn") {
    // The default warning is "@{user}, …" and YouTube display names are handles that already start with "@".
    const text = renderTemplate(settings.warnMessage, { user: message.user.name.replace(/^@/, ""), reason: violation.reason });
    await attempt("warn", () => deps.send([{ tenantId: channel.tenantId, channel: ref, text, replyTo: null }]));
  }
  await deps.db.insert(moderationLog).values({
    id: newId("moderationLog"),
    tenantId: channel.tenantId,
    platform: message.platform,
    channelId: message.channelId,
    userId: message.user.id,
    userName: message.user.name,
    rule: violation.rule,
    action: step.action,
    durationSeconds: step.action === "timeout" ? step.seconds : null,
    strike,
    excerpt: message.text.slice(0, 500),
    messageId: message.messageId,
    error: errors.length ? errors.join("; ").slice(0, 500) : null,
    createdAt: deps.now(),
  });
  return { kind: "moderated", rule: violation.rule, action: step.action };
}
