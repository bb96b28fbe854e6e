// The channels a tenant's chat bot sits in: one row per (platform, channel), with the bot account that speaks there
// and whether it is a moderator (Twitch allows a moderator bot 100 messages per 30 s instead of 20). Chat events are
// routed to their tenant by (platform, channel_id).
import { boolean, index, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { STREAM_PLATFORMS } from "../discord/tracked-streamers.ts";
import { stream } from "./columns.ts";

export const chatChannels = stream.table(
  "chat_channels",
  {
    /** `chc_…` */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    platform: text("platform", { enum: STREAM_PLATFORMS }).notNull(),
    /** Twitch broadcaster user id, Kick broadcaster user id, YouTube channel id. */
    channelId: text("channel_id").notNull(),
    channelLogin: text("channel_login").notNull(),
    /** The account the bot speaks as (Twitch sender_id / moderator_id). */
    botUserId: text("bot_user_id").notNull(),
    /** Moderator or broadcaster in this channel: higher chat limits, and moderation calls are allowed. */
    botIsModerator: boolean("bot_is_moderator").notNull().default(false),
    /** The platform connection whose OAuth token the bot uses (workers/src/connections); null: the app's token. */
    connectionId: text("connection_id"),
    /** YouTube: the live chat of the current broadcast, set while live. */
    liveChatId: text("live_chat_id"),
    /**
     * Twitch: the channel.chat.message EventSub subscription the bot hears this chat through (condition: this channel
     * and the bot's user id), and why Twitch refused it. Both null: not a Twitch channel, or not subscribed yet.
     */
    chatSubscriptionId: text("chat_subscription_id"),
    chatSubscriptionFailure: text("chat_subscription_failure"),
    enabled: boolean("enabled").notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("chat_channels_platform_channel_uq").on(t.platform, t.channelId), index("chat_channels_tenant_idx").on(t.tenantId)],
);
