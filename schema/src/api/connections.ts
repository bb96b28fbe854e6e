// Platform connections on the wire: /api/t/:tenantId/streams/connections (mine, all for admins, connect, upgrade,
// disconnect) and the scopes each stream bot feature asks each platform for. Tokens never appear here.
import { z } from "zod";
import { CONNECTION_PLATFORMS, CONNECTION_STATUSES } from "../stream/connections.ts";

const isoDate = z.iso.datetime({ offset: true });

export const ConnectionPlatform = z.enum(CONNECTION_PLATFORMS);
export type ConnectionPlatform = z.infer<typeof ConnectionPlatform>;

/** Scopes are asked for incrementally: the base set on first connect, the chat bot's when the user enables it. */
export const CONNECTION_FEATURES = ["base", "chatbot"] as const;
export const ConnectionFeature = z.enum(CONNECTION_FEATURES);
export type ConnectionFeature = z.infer<typeof ConnectionFeature>;

export const CONNECTION_SCOPES: Record<ConnectionPlatform, Record<ConnectionFeature, readonly string[]>> = {
  // Identity comes with every Twitch token (GET /helix/users with no parameters); the rest is what the inbox reads.
  twitch: {
    base: ["moderator:read:followers", "channel:read:subscriptions", "bits:read"],
    chatbot: ["user:read:chat", "user:write:chat", "user:bot", "moderator:manage:banned_users", "moderator:manage:chat_messages"],
  },
  youtube: {
    base: ["https://www.googleapis.com/auth/youtube.readonly"],
    chatbot: ["https://www.googleapis.com/auth/youtube.force-ssl"],
  },
  kick: {
    base: ["user:read", "channel:read", "events:subscribe"],
    chatbot: ["chat:write", "moderation:ban"],
  },
  // Spotify only feeds the overlays' now-playing layer: GET /v1/me/player/currently-playing accepts either scope.
  // It has no chat, so no chat bot scopes (the "chatbot" feature adds nothing).
  spotify: {
    base: ["user-read-currently-playing", "user-read-playback-state"],
    chatbot: [],
  },
};

export const ConnectionStatus = z.enum(CONNECTION_STATUSES);

/** One EventSub subscription of a Twitch connection that is not delivering: why, and whether only a reconnect fixes it. */
export const EventSubFailure = z.object({
  type: z.string(),
  state: z.enum(["failed", "revoked"]),
  reason: z.string(),
  needsReconnect: z.boolean(),
  since: isoDate,
});
export type EventSubFailure = z.infer<typeof EventSubFailure>;

/** How a Twitch connection's EventSub subscriptions stand ("5 of 6 subscribed"); null before the first attempt. */
export const EventSubStatus = z.object({ wanted: z.number().int(), subscribed: z.number().int(), failures: z.array(EventSubFailure) });
export type EventSubStatus = z.infer<typeof EventSubStatus>;

export const ConnectionView = z.object({
  id: z.string(),
  platform: ConnectionPlatform,
  userId: z.string(),
  platformUserId: z.string(),
  login: z.string(),
  displayName: z.string(),
  avatarUrl: z.string().nullable(),
  scopes: z.array(z.string()),
  /** Which features' scopes the current token holds. */
  features: z.object({ base: z.boolean(), chatbot: z.boolean() }),
  status: ConnectionStatus,
  expiresAt: isoDate.nullable(),
  lastRefreshError: z.string().nullable(),
  lastRefreshedAt: isoDate.nullable(),
  createdAt: isoDate,
  /** Twitch only: the inbox's and chat bot's event subscriptions. */
  eventSub: EventSubStatus.nullable(),
});
export type ConnectionView = z.infer<typeof ConnectionView>;

export const PlatformConnectionSlot = z.object({
  platform: ConnectionPlatform,
  /** False when the server has no OAuth client id/secret for this platform: nothing can be connected. */
  configured: z.boolean(),
  /** The variables to set when not configured. */
  missing: z.array(z.string()),
  connection: ConnectionView.nullable(),
});
export type PlatformConnectionSlot = z.infer<typeof PlatformConnectionSlot>;

export const MyConnections = z.object({ platforms: z.array(PlatformConnectionSlot) });
export type MyConnections = z.infer<typeof MyConnections>;

export const TenantConnection = ConnectionView.extend({ userName: z.string() });
export const TenantConnectionList = z.object({ items: z.array(TenantConnection) });
export type TenantConnectionList = z.infer<typeof TenantConnectionList>;

const ReturnPath = z
  .string()
  .max(300)
  .regex(/^\/(?![/\\])[\w\-./?=&%]*$/, "must be a path on this site");

export const StartConnectRequest = z.object({
  feature: ConnectionFeature.default("base"),
  /** Where the browser lands after the platform's consent screen. */
  returnTo: ReturnPath.optional(),
});
export type StartConnectRequest = z.input<typeof StartConnectRequest>;

export const UpgradeConnectionRequest = z.object({ returnTo: ReturnPath.optional() });

export const AuthorizeRedirect = z.object({ authorizeUrl: z.url() });
export type AuthorizeRedirect = z.infer<typeof AuthorizeRedirect>;
