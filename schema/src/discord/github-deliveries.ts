// What a GitHub feed received: one row per verified delivery (GitHub's X-GitHub-Delivery), with what became of it.
// Written after the webhook was answered; unsigned or duplicate requests leave no row.
import { index, text, uniqueIndex } from "drizzle-orm/pg-core";
import { GITHUB_DELIVERY_STATUSES } from "../api/github.ts";
import { createdAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { discord } from "./columns.ts";
import { githubFeeds } from "./github-feeds.ts";

export const githubDeliveries = discord.table(
  "github_deliveries",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
    feedId: text("feed_id").notNull().references(() => githubFeeds.id, { onDelete: "cascade" }),
    deliveryId: text("delivery_id").notNull(),
    event: text("event").notNull(),
    action: text("action"),
    repository: text("repository"),
    status: text("status", { enum: GITHUB_DELIVERY_STATUSES }).notNull(),
    detail: text("detail"),
    receivedAt: createdAt(),
  },
  (t) => [uniqueIndex("github_deliveries_feed_delivery_key").on(t.feedId, t.deliveryId), index("github_deliveries_feed_idx").on(t.feedId, t.receivedAt)],
);
