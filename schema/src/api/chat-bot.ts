// The chat bot on the wire: /api/t/:tenantId/streams/chat-bot — channels, commands, timers, anti-spam settings and
// the moderation log. Banned-word patterns are a safe subset of regular expressions (see safePatternProblem): chat
// is untrusted input matched on every message, so a pattern that can backtrack catastrophically is refused here.
import { z } from "zod";
import { CHAT_PERMISSION_LEVELS, CHAT_ROLES } from "../stream/chat-commands.ts";
import { MODERATION_ACTIONS, MODERATION_RULES } from "../stream/moderation-log.ts";
import { STREAM_PLATFORMS } from "../discord/tracked-streamers.ts";

const isoDate = z.iso.datetime({ offset: true });
const Platforms = z.array(z.enum(STREAM_PLATFORMS)).max(3).transform((p) => [...new Set(p)]);

// ---- Safe patterns ----

export const SAFE_PATTERN_MAX_LENGTH = 100;
const MAX_UNBOUNDED_QUANTIFIERS = 3;

/**
 * Why a banned-word pattern is refused, or null when it is safe to run on every chat message. The subset: at most
 * 100 characters; no backreferences or lookarounds; no quantified group that holds a quantifier or an alternation
 * (`(a+)+`, `(a|aa)*`: exponential backtracking); at most three unbounded quantifiers, and no two unbounded
 * quantifiers on neighbouring wildcard atoms (`\w*\w*`: polynomial blow-up).
 */
export function safePatternProblem(source: string): string | null {
  if (source.length === 0) return "is empty";
  if (source.length > SAFE_PATTERN_MAX_LENGTH) return `is longer than ${SAFE_PATTERN_MAX_LENGTH} characters`;
  try {
    new RegExp(source, "iu");
  } catch {
    return "is not a valid regular expression";
  }
  if (/\\[1-9]|\\k</.test(source)) return "uses a backreference";
  if (/\(\?<?[=!]/.test(source)) return "uses a lookaround";
  // Atoms with what follows them: [kind, quantifier].
  const atoms: { wild: boolean; group: { quantified: boolean; inner: boolean } | null; unbounded: boolean }[] = [];
  const groups: { start: number; inner: boolean }[] = [];
  let unbounded = 0;
  let i = 0;
  const quantifierAt = (at: number): { length: number; unbounded: boolean } | null => {
    const ch = source[at];
    if (ch === "*" || ch === "+") return { length: source[at + 1] === "?" ? 2 : 1, unbounded: true };
    if (ch === "?") return { length: 1, unbounded: false };
    if (ch === "{") {
      const m = /^\{(\d+)(,(\d*))?\}\??/.exec(source.slice(at));
      if (m) return { length: m[0].length, unbounded: m[2] !== undefined && m[3] === "" };
    }
    return null;
  };
  while (i < source.length) {
    const ch = source[i] as string;
    let wild = false;
    let end = i + 1;
    if (ch === "\\") {
      wild = /[wWsSdDbB]/.test(source[i + 1] ?? "");
      end = i + 2;
    } else if (ch === "[") {
      wild = true;
      let j = i + 1;
      if (source[j] === "^") j++;
      if (source[j] === "]") j++;
      while (j < source.length && source[j] !== "]") j += source[j] === "\\" ? 2 : 1;
      end = j + 1;
    } else if (ch === ".") wild = true;
    else if (ch === "(") {
      groups.push({ start: atoms.length, inner: false });
      i += source.startsWith("(?:", i) ? 3 : 1;
      continue;
    } else if (ch === "|") {
      const open = groups.at(-1);
      if (open) open.inner = true;
      i += 1;
      continue;
    } else if (ch === ")") {
      const open = groups.pop();
      const q = quantifierAt(i + 1);
      if (q) {
        if (open?.inner || atoms.slice(open?.start ?? 0).some((a) => a.unbounded || a.group !== null)) return "repeats a group that holds a repetition or an alternative";
        if (q.unbounded) unbounded++;
      }
      const parent = groups.at(-1);
      if (parent && (open?.inner || q)) parent.inner = parent.inner || !!open?.inner;
      atoms.push({ wild: true, group: { quantified: !!q, inner: !!open?.inner }, unbounded: !!q?.unbounded });
      i += 1 + (q?.length ?? 0);
      continue;
    } else if (ch === "^" || ch === "$") {
      i += 1;
      continue;
    }
    const q = quantifierAt(end);
    if (q?.unbounded) {
      unbounded++;
      const prev = atoms.at(-1);
      if (prev?.unbounded && (prev.wild || wild)) return "puts two open-ended repetitions side by side";
    }
    atoms.push({ wild, group: null, unbounded: !!q?.unbounded });
    i = end + (q?.length ?? 0);
  }
  if (unbounded > MAX_UNBOUNDED_QUANTIFIERS) return `has more than ${MAX_UNBOUNDED_QUANTIFIERS} open-ended repetitions (*, +, {n,})`;
  return null;
}

export const SafePattern = z.string().superRefine((s, ctx) => {
  const problem = safePatternProblem(s);
  if (problem) ctx.addIssue({ code: "custom", message: `pattern ${problem}` });
});

// ---- Anti-spam settings ----

const Seconds = (max: number) => z.number().int().min(1).max(max);
const Ratio = z.number().min(0.1).max(1);
const Domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, "must be a domain like clips.twitch.tv");

export const EscalationStep = z.discriminatedUnion("action", [
  z.object({ action: z.literal("delete") }),
  z.object({ action: z.literal("warn") }),
  z.object({ action: z.literal("timeout"), seconds: Seconds(1_209_600) }),
]);
export type EscalationStep = z.infer<typeof EscalationStep>;

export const AntiSpamSettings = z.object({
  enabled: z.boolean().default(true),
  /** Roles whose messages are never checked. */
  exemptRoles: z.array(z.enum(CHAT_ROLES)).default(["broadcaster", "moderator"]),
  links: z.object({ enabled: z.boolean().default(true), allowedDomains: z.array(Domain).max(100).default([]), permitSeconds: Seconds(3600).default(60) }).prefault({}),
  caps: z.object({ enabled: z.boolean().default(true), minLetters: z.number().int().min(1).max(500).default(10), maxRatio: Ratio.default(0.7) }).prefault({}),
  repeats: z
    .object({ enabled: z.boolean().default(true), windowSeconds: Seconds(3600).default(60), maxRepeats: z.number().int().min(1).max(20).default(2), similarity: Ratio.default(0.85) })
    .prefault({}),
  symbols: z.object({ enabled: z.boolean().default(true), minLength: z.number().int().min(1).max(500).default(12), maxRatio: Ratio.default(0.5) }).prefault({}),
  emotes: z.object({ enabled: z.boolean().default(true), maxEmotes: z.number().int().min(1).max(200).default(15) }).prefault({}),
  zalgo: z.object({ enabled: z.boolean().default(true), maxMarks: z.number().int().min(0).max(50).default(4) }).prefault({}),
  length: z.object({ enabled: z.boolean().default(false), maxCharacters: z.number().int().min(1).max(5000).default(350) }).prefault({}),
  bannedWords: z.object({ enabled: z.boolean().default(true), words: z.array(z.string().trim().toLowerCase().min(1).max(100)).max(500).default([]), patterns: z.array(SafePattern).max(50).default([]) }).prefault({}),
  /** Strike n takes step min(n, length): by default a warning, then 60 s, then 600 s. */
  escalation: z.array(EscalationStep).min(1).max(10).default([{ action: "warn" }, { action: "timeout", seconds: 60 }, { action: "timeout", seconds: 600 }]),
  /** How long a strike counts towards escalation. */
  strikeMemorySeconds: Seconds(7 * 86_400).default(3600),
  /** What a warning says; {user} and {reason}. */
  warnMessage: z.string().trim().min(1).max(300).default("@{user}, {reason} (warning)"),
});
export type AntiSpamSettings = z.infer<typeof AntiSpamSettings>;
export const defaultAntiSpamSettings = (): AntiSpamSettings => AntiSpamSettings.parse({});

// ---- Channels ----

/**
 * The account a channel's bot speaks as when it is one of the tenant's platform connections (its OAuth token, refreshed
 * by the connections domain). `chatScopes`: whether that token holds the chat bot's scopes (CONNECTION_SCOPES).
 */
export const ChatBotAccountView = z.object({
  connectionId: z.string(),
  login: z.string(),
  displayName: z.string(),
  chatScopes: z.boolean(),
});
export type ChatBotAccountView = z.infer<typeof ChatBotAccountView>;

export const ChatChannelView = z.object({
  id: z.string(),
  platform: z.enum(STREAM_PLATFORMS),
  channelId: z.string(),
  channelLogin: z.string(),
  botUserId: z.string(),
  botIsModerator: z.boolean(),
  /** The linked connection the bot speaks with; null: the app's token. */
  botAccount: ChatBotAccountView.nullable(),
  /**
   * Twitch: whether the bot hears this chat (its channel.chat.message subscription), with Twitch's refusal in words the
   * streamer can act on. Null: not a Twitch channel, or not tried yet (Twitch is not configured on this server).
   */
  chatSubscription: z.object({ subscribed: z.boolean(), reason: z.string().nullable() }).nullable(),
  enabled: z.boolean(),
  createdAt: isoDate,
});
export type ChatChannelView = z.infer<typeof ChatChannelView>;

const ConnectionRef = z.string().regex(/^pcn_[0-9a-z]{16}$/, "must be a connection id (pcn_…)");
const PlatformUserId = z.string().trim().min(1).max(64);

/**
 * With `connectionId` the bot speaks as that connection's account, so `botUserId` may be left out (it is the
 * connection's platform user id). Without one the bot speaks with the app's token as `botUserId`, which is then needed.
 */
export const CreateChatChannelRequest = z
  .object({
    platform: z.enum(STREAM_PLATFORMS),
    channelId: z.string().trim().min(1).max(64),
    channelLogin: z.string().trim().min(1).max(64),
    botUserId: PlatformUserId.optional(),
    connectionId: ConnectionRef.nullable().default(null),
    botIsModerator: z.boolean().default(false),
    enabled: z.boolean().default(true),
  })
  .refine((r) => r.connectionId !== null || r.botUserId !== undefined, { path: ["botUserId"], message: "is needed when the bot speaks with the app's token (no connectionId)" });
export type CreateChatChannelRequest = z.input<typeof CreateChatChannelRequest>;

/** `connectionId: null` unlinks the connection (the bot falls back to the app's token as the same account). */
export const UpdateChatChannelRequest = z.object({
  botIsModerator: z.boolean().optional(),
  enabled: z.boolean().optional(),
  botUserId: PlatformUserId.optional(),
  connectionId: ConnectionRef.nullable().optional(),
});
export type UpdateChatChannelRequest = z.input<typeof UpdateChatChannelRequest>;

// ---- Commands ----

/** Without "!": letters, digits, "_" and "-", lowercase. */
export const ChatCommandName = z
  .string()
  .trim()
  .toLowerCase()
  .transform((s) => s.replace(/^!/, ""))
  .pipe(z.string().min(1, "must be 1-32 characters").max(32, "must be 1-32 characters").regex(/^[\p{L}\p{N}_-]+$/u, "may hold only letters, digits, - and _"));

const Cooldown = z.number().int().min(0).max(86_400);

const commandFields = {
  name: ChatCommandName,
  aliases: z.array(ChatCommandName).max(10).default([]),
  /** Twitch caps a chat message at 500 characters. */
  response: z.string().trim().min(1).max(500),
  permission: z.enum(CHAT_PERMISSION_LEVELS).default("everyone"),
  userCooldownSeconds: Cooldown.default(0),
  globalCooldownSeconds: Cooldown.default(5),
  platforms: Platforms.default([...STREAM_PLATFORMS]),
  enabled: z.boolean().default(true),
};

export const CreateChatCommandRequest = z.object(commandFields);
export const UpdateChatCommandRequest = z.object(commandFields).partial();
export type CreateChatCommandRequest = z.input<typeof CreateChatCommandRequest>;

export const ChatCommandView = z.object({
  id: z.string(),
  name: z.string(),
  aliases: z.array(z.string()),
  response: z.string(),
  permission: z.enum(CHAT_PERMISSION_LEVELS),
  userCooldownSeconds: z.number().int(),
  globalCooldownSeconds: z.number().int(),
  platforms: z.array(z.enum(STREAM_PLATFORMS)),
  enabled: z.boolean(),
  useCount: z.number().int(),
  lastUsedAt: isoDate.nullable(),
  /** Template warnings (unknown variables) for the editor. */
  warnings: z.array(z.string()),
});
export type ChatCommandView = z.infer<typeof ChatCommandView>;

// ---- Timers ----

const timerFields = {
  name: z.string().trim().min(1).max(64),
  message: z.string().trim().min(1).max(500),
  intervalMinutes: z.number().int().min(1).max(1440),
  minLines: z.number().int().min(0).max(10_000).default(5),
  platforms: Platforms.default([...STREAM_PLATFORMS]),
  enabled: z.boolean().default(true),
};
export const CreateChatTimerRequest = z.object(timerFields);
export const UpdateChatTimerRequest = z.object(timerFields).partial();
export const ChatTimerView = z.object({
  id: z.string(),
  name: z.string(),
  message: z.string(),
  intervalMinutes: z.number().int(),
  minLines: z.number().int(),
  platforms: z.array(z.enum(STREAM_PLATFORMS)),
  enabled: z.boolean(),
});
export type ChatTimerView = z.infer<typeof ChatTimerView>;

// ---- Moderation log ----

export const ModerationLogQuery = z.object({
  platform: z.enum(STREAM_PLATFORMS).optional(),
  rule: z.enum(MODERATION_RULES).optional(),
  action: z.enum(MODERATION_ACTIONS).optional(),
  /** Matches the user's name or id. */
  user: z.string().trim().min(1).max(64).optional(),
  /** Entries before this id's time (paging). */
  before: isoDate.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const ModerationLogEntry = z.object({
  id: z.string(),
  platform: z.enum(STREAM_PLATFORMS),
  channelId: z.string(),
  userId: z.string(),
  userName: z.string(),
  rule: z.enum(MODERATION_RULES),
  action: z.enum(MODERATION_ACTIONS),
  durationSeconds: z.number().int().nullable(),
  strike: z.number().int(),
  excerpt: z.string(),
  error: z.string().nullable(),
  createdAt: isoDate,
});
export type ModerationLogEntry = z.infer<typeof ModerationLogEntry>;
export const ModerationLogPage = z.object({ entries: z.array(ModerationLogEntry), next: isoDate.nullable() });

export const ChatBotOverview = z.object({
  channels: z.array(ChatChannelView),
  commands: z.array(ChatCommandView),
  timers: z.array(ChatTimerView),
  antiSpam: AntiSpamSettings,
});
export type ChatBotOverview = z.infer<typeof ChatBotOverview>;
