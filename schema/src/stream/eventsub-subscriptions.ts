// The webhook subscriptions a platform connection asked for (Twitch EventSub types, Kick event names) and how each
// stands: subscribed, failed when it was created (a missing scope, a 403, the platform down) or revoked by Twitch
// later. The Streams page shows them per connection.
import { boolean, index, primaryKey, text } from "drizzle-orm/pg-core";
import { createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { stream } from "./columns.ts";
import { platformConnections } from "./connections.ts";

export const EVENTSUB_STATES = ["subscribed", "failed", "revoked"] as const;
export type EventSubState = (typeof EVENTSUB_STATES)[number];

export const eventSubSubscriptions = stream.table(
  "eventsub_subscriptions",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    connectionId: text("connection_id")
      .notNull()
      .references(() => platformConnections.id, { onDelete: "cascade" }),
    /** EventSub type, e.g. `channel.cheer`; for Kick, the event name, e.g. `kicks.gifted`. */
    type: text("type").notNull(),
    version: text("version").notNull(),
    /**
     * The platform's subscription id (Twitch's when we created it, null when Twitch answered 409 already exists; Kick's
     * from its list or create); null when it failed. The column name predates Kick.
     */
    twitchSubscriptionId: text("twitch_subscription_id"),
    state: text("state", { enum: EVENTSUB_STATES }).notNull(),
    /** Why it is not subscribed, in the Streams page's words ("missing scope bits:read"); null when subscribed. */
    failure: text("failure"),
    /** Only a new consent fixes it (a missing scope, authorization revoked): the page offers Reconnect, not Retry. */
    needsReconnect: boolean("needs_reconnect").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.type] }), index("eventsub_subscriptions_tenant_idx").on(t.tenantId)],
);
