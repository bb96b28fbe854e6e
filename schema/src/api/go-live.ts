// Go-live notifications on the wire: /api/t/:tenantId/go-live/… (tracked streamers, stream sessions, platform status
// with the YouTube quota, and "send test alert").
import { z } from "zod";
import { STREAM_PLATFORMS } from "../discord/tracked-streamers.ts";

const snowflake = z.string().regex(/^\d{5,25}$/, "must be a Discord id");
const isoDate = z.iso.datetime({ offset: true });

export const StreamPlatformName = z.enum(STREAM_PLATFORMS);

/** Discord: message content ≤ 2000 characters; the template renders into it. */
export const GoLiveTemplate = z.string().min(1).max(1500);

export const CreateTrackedStreamerRequest = z.object({
  platform: StreamPlatformName,
  /** Twitch login, YouTube @handle or channel id (UC…), Kick slug. Resolved through the platform's API when connected. */
  account: z.string().trim().min(1).max(100),
  /** The platform's own id, needed when the platform is not connected (nothing to resolve the account with). */
  platformUserId: z.string().trim().min(1).max(64).regex(/^[\w-]+$/).optional(),
  guildId: snowflake,
  channelId: snowflake,
  pingRoleId: snowflake.nullable().optional(),
  template: GoLiveTemplate.optional(),
  embed: z.boolean().optional(),
  /** Off by default: only then can @everyone / @here / {everyone} in the template ping. */
  allowEveryone: z.boolean().optional(),
  enabled: z.boolean().optional(),
  discordUserId: snowflake.nullable().optional(),
});
export type CreateTrackedStreamerRequest = z.infer<typeof CreateTrackedStreamerRequest>;

export const UpdateTrackedStreamerRequest = z
  .object({
    channelId: snowflake,
    pingRoleId: snowflake.nullable(),
    template: GoLiveTemplate,
    embed: z.boolean(),
    allowEveryone: z.boolean(),
    enabled: z.boolean(),
    discordUserId: snowflake.nullable(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to change");
export type UpdateTrackedStreamerRequest = z.infer<typeof UpdateTrackedStreamerRequest>;

export const TrackedStreamerView = z.object({
  id: z.string(),
  guildId: z.string(),
  platform: StreamPlatformName,
  platformUserId: z.string(),
  login: z.string(),
  displayName: z.string(),
  channelId: z.string(),
  pingRoleId: z.string().nullable(),
  template: z.string(),
  embed: z.boolean(),
  allowEveryone: z.boolean(),
  enabled: z.boolean(),
  discordUserId: z.string().nullable(),
  /** How go-live is detected right now: webhooks, polling only, or not at all (platform not connected). */
  detection: z.enum(["webhook", "polling", "presence", "not_connected"]),
  createdAt: isoDate,
});
export type TrackedStreamerView = z.infer<typeof TrackedStreamerView>;
export const TrackedStreamerList = z.object({ items: z.array(TrackedStreamerView) });

export const StreamSessionsQuery = z.object({
  streamerId: z.string().regex(/^str_[0-9a-z]{16}$/).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const StreamSessionView = z.object({
  id: z.string(),
  streamerId: z.string(),
  platform: StreamPlatformName,
  streamKey: z.string(),
  startedAt: isoDate,
  endedAt: isoDate.nullable(),
  title: z.string(),
  game: z.string(),
  url: z.string(),
  vodUrl: z.string().nullable(),
  viewers: z.number().int().nullable(),
  sources: z.array(z.string()),
  notified: z.boolean(),
});
export const StreamSessionList = z.object({ items: z.array(StreamSessionView) });

export const GoLiveStatus = z.object({
  platforms: z.object({
    twitch: z.object({ connected: z.boolean(), eventSub: z.boolean() }),
    youtube: z.object({ connected: z.boolean() }),
    kick: z.object({ connected: z.boolean() }),
  }),
  youtubeQuota: z.object({ day: z.string(), used: z.number().int(), limit: z.number().int(), warn: z.boolean(), exhausted: z.boolean() }),
});

export const TestAlertResult = z.object({ outboxId: z.string(), queued: z.boolean() });
