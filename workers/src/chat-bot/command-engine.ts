// The one command engine for Twitch, YouTube and Kick chat, pure: "!name args" parsed, the command found by name or
// alias for this platform, the caller's permission level checked, and the reply rendered through the shared template
// language (renderTemplate) with {user}, {count}, {uptime}, {game}, {channel}, {args}, {1}…{9} and {random:a|b}.
import type { ChatPermissionLevel, ChatRole, StreamPlatform } from "@nebula/schema";
import { CHAT_PERMISSION_LEVELS } from "@nebula/schema";
import { type TemplateValues, placeholdersOf, renderTemplate, validateTemplate } from "../templates/template.ts";

export interface ChatCommand {
  id: string;
  name: string;
  aliases: string[];
  response: string;
  permission: ChatPermissionLevel;
  userCooldownSeconds: number;
  globalCooldownSeconds: number;
  platforms: StreamPlatform[];
  enabled: boolean;
}

export interface Invocation {
  name: string;
  args: string[];
}

/** Twitch caps a chat message at 500 characters; Kick and YouTube at about the same. */
export const CHAT_MESSAGE_MAX = 500;
const MAX_ARGS = 9;

export function parseInvocation(text: string): Invocation | null {
  const m = /^!([\p{L}\p{N}_-]{1,32})(?:\s+(.*))?$/su.exec(text.trim());
  if (!m) return null;
  return { name: (m[1] as string).toLowerCase(), args: (m[2] ?? "").split(/\s+/).filter(Boolean) };
}

export function findCommand(commands: readonly ChatCommand[], name: string, platform: StreamPlatform): ChatCommand | null {
  return commands.find((c) => c.enabled && c.platforms.includes(platform) && (c.name === name || c.aliases.includes(name))) ?? null;
}

/** The highest level the chatter's roles reach. */
export function levelOf(roles: readonly ChatRole[]): ChatPermissionLevel {
  if (roles.includes("broadcaster")) return "broadcaster";
  if (roles.includes("moderator")) return "moderator";
  if (roles.includes("vip")) return "vip";
  if (roles.includes("subscriber")) return "subscriber";
  return "everyone";
}

export function mayUse(roles: readonly ChatRole[], level: ChatPermissionLevel): boolean {
  return CHAT_PERMISSION_LEVELS.indexOf(levelOf(roles)) >= CHAT_PERMISSION_LEVELS.indexOf(level);
}

export const CHAT_TEMPLATE_VARIABLES = ["user", "user.name", "user.login", "channel", "count", "uptime", "game", "title", "args", "platform"] as const;

/** Template warnings for the editor: unknown variables; {1}…{9} are positional arguments and fine. */
export function commandTemplateWarnings(response: string): { errors: string[]; warnings: string[] } {
  const check = validateTemplate(response, { variables: [...CHAT_TEMPLATE_VARIABLES] });
  const positional = (message: string) => /^Unknown variable \{\s*[1-9]\s*\}/.test(message);
  return { errors: check.errors.map((e) => e.message), warnings: check.warnings.map((w) => w.message).filter((m) => !positional(m)) };
}

/** Which values the response needs that cost a call (stream info for {uptime} / {game} / {title}). */
export function needsStreamInfo(response: string): boolean {
  return placeholdersOf(response).some((p) => p === "uptime" || p === "game" || p === "title");
}

/** A reply that shows the use count must wait for the count's write. */
export function usesCount(response: string): boolean {
  return placeholdersOf(response).includes("count");
}

export interface ReplyFacts {
  user: { name: string; login: string };
  channel: string;
  platform: StreamPlatform;
  count: number;
  args: string[];
  /** null: offline (or unknown). */
  stream: { startedAt: Date; game: string; title: string } | null;
  now: Date;
}

export function formatUptime(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h > 0 ? `${h}h ${m}m` : `${m}m`;
}

export function replyValues(facts: ReplyFacts): TemplateValues {
  const values: Record<string, string | number> = {
    user: facts.user.name,
    "user.name": facts.user.name,
    "user.login": facts.user.login,
    channel: facts.channel,
    platform: facts.platform,
    count: facts.count,
    args: facts.args.join(" "),
    uptime: facts.stream ? formatUptime(facts.now.getTime() - facts.stream.startedAt.getTime()) : "offline",
    game: facts.stream?.game || "no game",
    title: facts.stream?.title ?? "",
  };
  facts.args.slice(0, MAX_ARGS).forEach((a, i) => {
    values[String(i + 1)] = a;
  });
  return values;
}

export function renderReply(response: string, facts: ReplyFacts, random?: () => number): string {
  return [...renderTemplate(response, replyValues(facts), random ? { random } : {})].slice(0, CHAT_MESSAGE_MAX).join("");
}
