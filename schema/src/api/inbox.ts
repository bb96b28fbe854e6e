// The unified inbox on the wire: /api/t/:tenantId/streams/inbox/… (list, read state, settings, channels, webhooks),
// the live socket's frames, and the body a generic webhook (/webhooks/inbox/:sourceId) posts.
import { z } from "zod";
import { INBOX_PLATFORMS, INBOX_TYPES } from "../stream/inbox-notifications.ts";
import { INBOX_SOURCE_PLATFORMS } from "../stream/inbox-sources.ts";
import { INBOX_WEBHOOK_KINDS } from "../stream/inbox-webhooks.ts";

const isoDate = z.iso.datetime({ offset: true });

export const InboxPlatformName = z.enum(INBOX_PLATFORMS);
export const InboxTypeName = z.enum(INBOX_TYPES);

export const InboxActor = z.object({ id: z.string().nullable(), name: z.string(), avatarUrl: z.string().nullable() });

export const InboxItem = z.object({
  id: z.string(),
  platform: InboxPlatformName,
  type: InboxTypeName,
  streamerUserId: z.string().nullable(),
  broadcasterId: z.string(),
  actor: InboxActor,
  amount: z.number().nullable(),
  currency: z.string().nullable(),
  bits: z.number().int().nullable(),
  months: z.number().int().nullable(),
  count: z.number().int().nullable(),
  viewers: z.number().int().nullable(),
  tier: z.string().nullable(),
  /** Written by a viewer: render as text. */
  message: z.string().nullable(),
  occurredAt: isoDate,
  readAt: isoDate.nullable(),
});
export type InboxItem = z.infer<typeof InboxItem>;

/** Comma-separated lists in the query string (`?platform=twitch,kick&type=sub,resub`). */
const listOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .max(300)
    .transform((s) => s.split(",").map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)).max(20));

export const InboxListQuery = z.object({
  platform: listOf(INBOX_PLATFORMS).optional(),
  type: listOf(INBOX_TYPES).optional(),
  unread: z.enum(["true", "false"]).optional(),
  q: z.string().trim().max(100).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type InboxListQuery = z.infer<typeof InboxListQuery>;

export const InboxPage = z.object({ items: z.array(InboxItem), nextCursor: z.string().nullable(), unread: z.number().int() });
export type InboxPage = z.infer<typeof InboxPage>;

export const InboxUnread = z.object({ unread: z.number().int() });

export const MarkInboxRequest = z.object({ ids: z.array(z.string().regex(/^inb_[0-9a-z]{16}$/)).min(1).max(200), read: z.boolean() });
export type MarkInboxRequest = z.infer<typeof MarkInboxRequest>;

/** Everything up to `before` (default: now), so an item that arrives while the user clicks stays unread. */
export const MarkAllInboxReadRequest = z.object({ before: isoDate.optional() });

export const InboxMarked = z.object({ updated: z.number().int(), unread: z.number().int() });
export type InboxMarked = z.infer<typeof InboxMarked>;

export const InboxSettings = z.object({ retentionDays: z.number().int().min(1).max(365) });
export type InboxSettings = z.infer<typeof InboxSettings>;

/** A platform channel whose events land in this tenant's inbox. */
export const CreateInboxSourceRequest = z.object({
  platform: z.enum(INBOX_SOURCE_PLATFORMS),
  broadcasterId: z.string().trim().min(1).max(64).regex(/^[\w-]+$/),
  streamerUserId: z.string().regex(/^usr_[0-9a-z]{16}$/).nullable().optional(),
});
export const InboxSourceView = z.object({
  id: z.string(),
  platform: z.enum(INBOX_SOURCE_PLATFORMS),
  broadcasterId: z.string(),
  streamerUserId: z.string().nullable(),
  createdAt: isoDate,
});
export type InboxSourceView = z.infer<typeof InboxSourceView>;

export const InboxWebhookKind = z.enum(INBOX_WEBHOOK_KINDS);
export type InboxWebhookKind = z.infer<typeof InboxWebhookKind>;
export const CreateInboxWebhookRequest = z.object({ name: z.string().trim().min(1).max(80), kind: InboxWebhookKind.default("custom") });
export type CreateInboxWebhookRequest = z.input<typeof CreateInboxWebhookRequest>;
export const UpdateInboxWebhookRequest = z
  .object({ name: z.string().trim().min(1).max(80), enabled: z.boolean() })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to change");
export const InboxWebhookView = z.object({
  id: z.string(),
  name: z.string(),
  kind: InboxWebhookKind,
  enabled: z.boolean(),
  /** Where the source posts. */
  url: z.string(),
  lastDeliveryAt: isoDate.nullable(),
  createdAt: isoDate,
});
export type InboxWebhookView = z.infer<typeof InboxWebhookView>;
/** Only the create and rotate answers carry the secret; it is never shown again. */
export const InboxWebhookWithSecret = InboxWebhookView.extend({ secret: z.string() });
export type InboxWebhookWithSecret = z.infer<typeof InboxWebhookWithSecret>;

const count = z.number().int().min(0).max(1_000_000_000);

/**
 * What a donation service or custom tool posts to /webhooks/inbox/:sourceId. `id` is the sender's event id: a
 * repeat of it is accepted and ignored.
 */
export const InboxWebhookEvent = z.object({
  /** At most 160 characters: it is stored prefixed with the webhook's id. */
  id: z.string().trim().min(1).max(160),
  type: InboxTypeName,
  actor: z.object({
    id: z.string().max(200).optional(),
    name: z.string().trim().min(1).max(200),
    avatarUrl: z.url({ protocol: /^https$/ }).max(2000).optional(),
  }),
  amount: z.number().min(0).max(1e12).optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code like USD").optional(),
  bits: count.optional(),
  months: count.optional(),
  count: count.optional(),
  viewers: count.optional(),
  tier: z.string().max(100).optional(),
  message: z.string().max(2000).optional(),
  occurredAt: isoDate.optional(),
});
export type InboxWebhookEvent = z.infer<typeof InboxWebhookEvent>;

export const InboxWebhookAnswer = z.object({ status: z.enum(["accepted", "duplicate"]) });
export type InboxWebhookAnswer = z.infer<typeof InboxWebhookAnswer>;

/** Server → browser frames on /streams/inbox/live. */
export const InboxLiveFrame = z.discriminatedUnion("type", [z.object({ type: z.literal("item"), item: InboxItem })]);
export type InboxLiveFrame = z.infer<typeof InboxLiveFrame>;
export const INBOX_PING = "ping";
export const INBOX_PONG = "pong";
