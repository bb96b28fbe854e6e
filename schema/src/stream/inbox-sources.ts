// Which tenant (and which streamer in it) a platform channel's inbox events belong to. Until platform connections
// exist, a streamer names their channel here; go-live's tracked streamers count too (workers/src/inbox/recipients.ts).
import { index, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { users } from "../core/users.ts";
import { stream } from "./columns.ts";

export const INBOX_SOURCE_PLATFORMS = ["twitch", "youtube", "kick"] as const;

export const inboxSources = stream.table(
  "inbox_sources",
  {
    /** `ibs_…` */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    platform: text("platform", { enum: INBOX_SOURCE_PLATFORMS }).notNull(),
    /** Twitch/Kick broadcaster user id, YouTube channel id (UC…). */
    broadcasterId: text("broadcaster_id").notNull(),
    streamerUserId: text("streamer_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("inbox_sources_tenant_channel_uq").on(t.tenantId, t.platform, t.broadcasterId),
    // Events arrive by channel, across tenants.
    index("inbox_sources_channel_idx").on(t.platform, t.broadcasterId),
  ],
);
