// One guild's welcome settings: the greeting (channel, template, embed), an optional DM, auto-roles, the leave
// message, and what happened the last time auto-roles were given (Discord refuses roles above the bot's own, so the
// dashboard shows that instead of failing silently).
import { boolean, jsonb, text } from "drizzle-orm/pg-core";
import { at, createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { discord } from "./columns.ts";

export const DEFAULT_WELCOME_TEMPLATE = "Welcome {user} to **{server}**! You are member #{memberCount}.";
export const DEFAULT_LEAVE_TEMPLATE = "**{user.name}** left {server}.";

/** The welcome embed: texts are templates; the thumbnail is the member's avatar when `thumbnailAvatar` is on. */
export interface WelcomeEmbedSettings {
  title: string | null;
  description: string | null;
  /** 0xRRGGBB. */
  color: number | null;
  imageUrl: string | null;
  thumbnailAvatar: boolean;
  footer: string | null;
}

/** The last auto-role attempt: per role, given or why not (Discord's status and error code). */
export interface AutoRoleOutcome {
  at: string;
  userId: string;
  results: { roleId: string; ok: boolean; status: number | null; code: number | null; message: string | null }[];
}

export const welcomeSettings = discord.table("welcome_settings", {
  /** One row per guild. */
  guildId: text("guild_id").primaryKey(),
  tenantId: text("tenant_id")
    .notNull()
    .references(() => tenants.id, { onDelete: "cascade" }),
  enabled: boolean("enabled").notNull().default(false),
  channelId: text("channel_id"),
  template: text("template").notNull().default(DEFAULT_WELCOME_TEMPLATE),
  embed: jsonb("embed").$type<WelcomeEmbedSettings | null>(),
  dmEnabled: boolean("dm_enabled").notNull().default(false),
  dmTemplate: text("dm_template"),
  autoRoleIds: jsonb("auto_role_ids").$type<string[]>().notNull().default([]),
  /** Bots joining are ignored unless this is on (MEE6 and Carl-bot do the same). */
  includeBots: boolean("include_bots").notNull().default(false),
  leaveEnabled: boolean("leave_enabled").notNull().default(false),
  leaveChannelId: text("leave_channel_id"),
  leaveTemplate: text("leave_template").notNull().default(DEFAULT_LEAVE_TEMPLATE),
  lastAutoRoles: jsonb("last_auto_roles").$type<AutoRoleOutcome | null>(),
  lastAutoRolesAt: at("last_auto_roles_at"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
