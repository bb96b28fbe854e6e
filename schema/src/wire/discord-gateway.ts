// The Discord Gateway (v10, JSON encoding) as the DiscordGateway Durable Object speaks it, and the internal events it
// turns dispatches into. Only the fields Nebula reads are typed; objects stay loose, since Discord adds fields freely.
// https://discord.com/developers/docs/events/gateway, https://discord.com/developers/docs/topics/opcodes-and-status-codes
import { z } from "zod";

export const GATEWAY_VERSION = 10;

export const GatewayOpcode = {
  DISPATCH: 0,
  HEARTBEAT: 1,
  IDENTIFY: 2,
  RESUME: 6,
  RECONNECT: 7,
  INVALID_SESSION: 9,
  HELLO: 10,
  HEARTBEAT_ACK: 11,
} as const;

export const GatewayCloseCode = {
  UNKNOWN_ERROR: 4000,
  UNKNOWN_OPCODE: 4001,
  DECODE_ERROR: 4002,
  NOT_AUTHENTICATED: 4003,
  AUTHENTICATION_FAILED: 4004,
  ALREADY_AUTHENTICATED: 4005,
  INVALID_SEQ: 4007,
  RATE_LIMITED: 4008,
  SESSION_TIMED_OUT: 4009,
  INVALID_SHARD: 4010,
  SHARDING_REQUIRED: 4011,
  INVALID_API_VERSION: 4012,
  INVALID_INTENTS: 4013,
  DISALLOWED_INTENTS: 4014,
} as const;

/** Gateway intents (bit flags). MESSAGE_CONTENT (1 << 15) is deliberately absent: Nebula counts messages, never reads them. */
export const GatewayIntent = {
  GUILDS: 1 << 0,
  GUILD_MEMBERS: 1 << 1,
  GUILD_PRESENCES: 1 << 8,
  GUILD_MESSAGES: 1 << 9,
} as const;
export const MESSAGE_CONTENT_INTENT = 1 << 15;

/** The intents Nebula identifies with: guilds, member join/leave, presence (streaming), message counts. */
export const NEBULA_INTENTS = GatewayIntent.GUILDS | GatewayIntent.GUILD_MEMBERS | GatewayIntent.GUILD_PRESENCES | GatewayIntent.GUILD_MESSAGES;

const snowflake = z.string().regex(/^\d{1,25}$/);

/** Every frame: {op, d, s, t}. `s` and `t` are only set on dispatches (op 0). */
export const GatewayPayload = z.looseObject({
  op: z.number().int(),
  d: z.unknown().optional(),
  s: z.number().int().nullable().optional(),
  t: z.string().nullable().optional(),
});
export type GatewayPayload = z.infer<typeof GatewayPayload>;

export const Hello = z.looseObject({ heartbeat_interval: z.number().positive() });

/** op 9's `d`: whether the session may still be resumed. */
export const InvalidSession = z.boolean();

export const GatewayUser = z.looseObject({
  id: snowflake,
  username: z.string(),
  global_name: z.string().nullable().optional(),
  avatar: z.string().nullable().optional(),
  bot: z.boolean().optional(),
});
export type GatewayUser = z.infer<typeof GatewayUser>;

export const Ready = z.looseObject({
  v: z.number().int().optional(),
  session_id: z.string().min(1),
  resume_gateway_url: z.string().regex(/^wss?:\/\//),
  user: GatewayUser.optional(),
});
export type Ready = z.infer<typeof Ready>;

/** Activity type 1 is "Streaming"; its `url` is the Twitch or YouTube channel, `details` the stream title. */
export const ACTIVITY_STREAMING = 1;
export const Activity = z.looseObject({
  name: z.string().optional(),
  type: z.number().int(),
  url: z.string().nullable().optional(),
  details: z.string().nullable().optional(),
  state: z.string().nullable().optional(),
});

export const PresenceUpdate = z.looseObject({
  user: z.looseObject({ id: snowflake }),
  guild_id: snowflake,
  status: z.string().optional(),
  activities: z.array(Activity).default([]),
});
export type PresenceUpdate = z.infer<typeof PresenceUpdate>;

export const GuildCreate = z.looseObject({
  id: snowflake,
  name: z.string().optional(),
  member_count: z.number().int().optional(),
  /** Present when the guild is unavailable (an outage); such a guild is not announced. */
  unavailable: z.boolean().optional(),
  /** With GUILD_PRESENCES, the presences of online members; `guild_id` is implied by the guild. */
  presences: z.array(z.looseObject({ user: z.looseObject({ id: snowflake }), activities: z.array(Activity).default([]) })).default([]),
});

export const GuildMemberAdd = z.looseObject({
  guild_id: snowflake,
  user: GatewayUser,
  joined_at: z.string(),
  /** Discord: true while the member has not passed the guild's Membership Screening (Rules Screening). */
  pending: z.boolean().optional(),
});

/** Any change to a member (roles, nick, avatar, timeout …); `pending` turns false once they pass Membership Screening. */
export const GuildMemberUpdate = z.looseObject({
  guild_id: snowflake,
  user: GatewayUser,
  pending: z.boolean().optional(),
});

export const GuildMemberRemove = z.looseObject({
  guild_id: snowflake,
  user: GatewayUser,
});

/** Without MESSAGE_CONTENT, `content` arrives empty (except DMs and mentions); Nebula never reads it. */
export const MessageCreate = z.looseObject({
  id: snowflake,
  channel_id: snowflake,
  guild_id: snowflake.optional(),
  author: z.looseObject({ id: snowflake, bot: z.boolean().optional() }),
  timestamp: z.string(),
});

/** GET /gateway/bot: the URL to connect to and how many IDENTIFYs remain today. */
export const GatewayBot = z.looseObject({
  url: z.string().regex(/^wss?:\/\//),
  shards: z.number().int().optional(),
  session_start_limit: z.looseObject({
    total: z.number().int().min(0),
    remaining: z.number().int().min(0),
    /** Milliseconds until `remaining` is reset to `total`. */
    reset_after: z.number().min(0),
    /** Identifies allowed per 5 seconds. */
    max_concurrency: z.number().int().min(1),
  }),
});
export type GatewayBot = z.infer<typeof GatewayBot>;

// ---- Internal events: what the rest of Nebula sees of the Gateway ----

export const STREAM_PLATFORMS = ["twitch", "youtube", "kick"] as const;

const eventBase = {
  /** Unique per dispatch (guild, session and sequence): a replayed dispatch has the same id, so consumers de-duplicate. */
  id: z.string().min(1).max(200),
  guildId: snowflake,
};

export const GatewayEvent = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("member.joined"),
    ...eventBase,
    user: z.object({ id: snowflake, username: z.string(), global_name: z.string().nullable(), avatar: z.string().nullable(), bot: z.boolean() }),
    joinedAt: z.string(),
    /** Set when the member still has to pass Membership Screening: roles wait for member.screened. */
    pending: z.literal(true).optional(),
  }),
  /** A member who joined pending passed Membership Screening (GUILD_MEMBER_UPDATE with pending false). */
  z.object({
    kind: z.literal("member.screened"),
    ...eventBase,
    user: z.object({ id: snowflake, username: z.string(), global_name: z.string().nullable(), avatar: z.string().nullable(), bot: z.boolean() }),
  }),
  z.object({
    kind: z.literal("member.left"),
    ...eventBase,
    user: z.object({ id: snowflake, username: z.string(), global_name: z.string().nullable(), avatar: z.string().nullable(), bot: z.boolean() }),
  }),
  z.object({
    kind: z.literal("presence.streaming"),
    ...eventBase,
    userId: snowflake,
    platform: z.enum(STREAM_PLATFORMS).optional(),
    url: z.string(),
    title: z.string(),
  }),
  z.object({ kind: z.literal("presence.stopped"), ...eventBase, userId: snowflake }),
  z.object({
    kind: z.literal("message.created"),
    ...eventBase,
    channelId: snowflake,
    authorId: snowflake,
    bot: z.boolean(),
    /** The message's timestamp (ISO 8601). */
    at: z.string(),
  }),
  z.object({ kind: z.literal("guild.available"), ...eventBase, name: z.string(), memberCount: z.number().int().nullable() }),
]);
export type GatewayEvent = z.infer<typeof GatewayEvent>;
export type GatewayEventKind = GatewayEvent["kind"];
