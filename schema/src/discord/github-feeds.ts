// GitHub feeds of a tenant: an unguessable public hook id GitHub posts to, the filters, where messages go, and the
// deploy-on-push rules. The webhook secret and a webhook-URL destination hold credentials, so both are sealed in
// core.secrets (`github.secret:<feedId>`, `github.webhook:<feedId>`); this row keeps only their names.
import { boolean, index, jsonb, text, uniqueIndex } from "drizzle-orm/pg-core";
import type { StoredDestination } from "../api/alerts.ts";
import type { GithubDeliveryStatus, GithubDeployRule, GithubFeedFilters } from "../api/github.ts";
import { at, createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { users } from "../core/users.ts";
import { discord } from "./columns.ts";

export const githubFeeds = discord.table(
  "github_feeds",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** The path segment of /webhooks/github/:hookId; random (192 bits), so the URL cannot be guessed. */
    hookId: text("hook_id").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    filters: jsonb("filters").$type<GithubFeedFilters>().notNull(),
    destination: jsonb("destination").$type<StoredDestination>().notNull(),
    deployRules: jsonb("deploy_rules").$type<GithubDeployRule[]>().notNull().default([]),
    /** The owner who last set the deploy rules; a deploy runs only while they are still an owner. */
    deployConfiguredBy: text("deploy_configured_by").references(() => users.id, { onDelete: "set null" }),
    lastDeliveryAt: at("last_delivery_at"),
    lastDeliveryEvent: text("last_delivery_event"),
    lastDeliveryStatus: text("last_delivery_status").$type<GithubDeliveryStatus>(),
    /** A user id or `token:<id>`, as the audit log names callers. */
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("github_feeds_hook_id_key").on(t.hookId), index("github_feeds_tenant_idx").on(t.tenantId, t.createdAt)],
);
