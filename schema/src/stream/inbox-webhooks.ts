// Generic inbox webhooks (donation services, custom tools): each posts to /webhooks/inbox/<id> with its secret
// (bearer or HMAC). The secret is sealed in core.secrets under `inbox.webhook:<id>`, shown once, rotatable.
import { boolean, index, text } from "drizzle-orm/pg-core";
import { at, createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { stream } from "./columns.ts";

/** What posts to it: a donation service (tips relayed by a bridge) or the tenant's own tool. Shapes the setup hints. */
export const INBOX_WEBHOOK_KINDS = ["donations", "custom"] as const;
export type InboxWebhookKind = (typeof INBOX_WEBHOOK_KINDS)[number];

export const inboxWebhooks = stream.table(
  "inbox_webhooks",
  {
    /** `ibw_…`, also the URL's path segment. */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    kind: text("kind", { enum: INBOX_WEBHOOK_KINDS }).notNull().default("custom"),
    enabled: boolean("enabled").notNull().default(true),
    lastDeliveryAt: at("last_delivery_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("inbox_webhooks_tenant_idx").on(t.tenantId)],
);
