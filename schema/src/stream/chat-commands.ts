// The chat bot's custom commands (Nightbot/Fossabot style): a name and aliases, a templated response, who may use it,
// per-user and global cooldowns, and the platforms it answers on. One engine reads them for Twitch, YouTube and Kick.
import { boolean, index, integer, jsonb, text, uniqueIndex } from "drizzle-orm/pg-core";
import { at, createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { STREAM_PLATFORMS, type StreamPlatform } from "../discord/tracked-streamers.ts";
import { stream } from "./columns.ts";

/** Lowest first: each level includes the ones above it (a moderator may use a subscriber command). */
export const CHAT_PERMISSION_LEVELS = ["everyone", "subscriber", "vip", "moderator", "broadcaster"] as const;
export type ChatPermissionLevel = (typeof CHAT_PERMISSION_LEVELS)[number];

/** Chat roles a message's author can hold; anti-spam exemptions and command permissions name them. */
export const CHAT_ROLES = ["broadcaster", "moderator", "vip", "subscriber"] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

export const chatCommands = stream.table(
  "chat_commands",
  {
    /** `ccm_…` */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** Without the "!" prefix, lowercase. */
    name: text("name").notNull(),
    aliases: jsonb("aliases").$type<string[]>().notNull().default([]),
    response: text("response").notNull(),
    permission: text("permission", { enum: CHAT_PERMISSION_LEVELS }).notNull().default("everyone"),
    userCooldownSeconds: integer("user_cooldown_seconds").notNull().default(0),
    globalCooldownSeconds: integer("global_cooldown_seconds").notNull().default(0),
    platforms: jsonb("platforms").$type<StreamPlatform[]>().notNull().default([...STREAM_PLATFORMS]),
    enabled: boolean("enabled").notNull().default(true),
    /** {count}: how many times it answered. */
    useCount: integer("use_count").notNull().default(0),
    lastUsedAt: at("last_used_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("chat_commands_tenant_name_uq").on(t.tenantId, t.name), index("chat_commands_tenant_idx").on(t.tenantId)],
);
