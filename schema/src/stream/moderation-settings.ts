// One row per tenant: the chat bot's anti-spam rules (links, caps, repeats, floods, zalgo, length, banned words),
// their actions and escalation, and who is exempt. The document's shape is api.AntiSpamSettings.
import { jsonb, text } from "drizzle-orm/pg-core";
import type { AntiSpamSettings } from "../api/chat-bot.ts";
import { updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { stream } from "./columns.ts";

export const moderationSettings = stream.table("moderation_settings", {
  tenantId: text("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  settings: jsonb("settings").$type<AntiSpamSettings>().notNull(),
  updatedAt: updatedAt(),
});
