// Per-tenant inbox settings: how long notifications are kept (the hourly cron purges older ones).
import { integer, text } from "drizzle-orm/pg-core";
import { updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { stream } from "./columns.ts";

export const DEFAULT_INBOX_RETENTION_DAYS = 90;

export const inboxSettings = stream.table("inbox_settings", {
  tenantId: text("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  retentionDays: integer("retention_days").notNull().default(DEFAULT_INBOX_RETENTION_DAYS),
  updatedAt: updatedAt(),
});
