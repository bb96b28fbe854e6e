// Custom slash commands a guild's admins make in the dashboard (MEE6/Carl-bot style): a name and options Discord
// accepts, a templated response (text and optional embed), who may use it, cooldowns, and how often it was used.
// They are registered as guild commands; the interaction path reads them from the cache, never from here.
import { boolean, index, integer, jsonb, text, uniqueIndex } from "drizzle-orm/pg-core";
import { at, createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { discord } from "./columns.ts";

export const CUSTOM_COMMAND_OPTION_TYPES = ["string", "integer", "user", "channel", "role"] as const;
export type CustomCommandOptionType = (typeof CUSTOM_COMMAND_OPTION_TYPES)[number];

export interface CustomCommandOption {
  name: string;
  description: string;
  type: CustomCommandOptionType;
  required: boolean;
}

/** The response embed; texts are templates. */
export interface CustomCommandEmbed {
  title: string | null;
  description: string | null;
  color: number | null;
  imageUrl: string | null;
  thumbnailUrl: string | null;
  footer: string | null;
}

export const customCommands = discord.table(
  "custom_commands",
  {
    /** `cmd_…` */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    guildId: text("guild_id").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull(),
    options: jsonb("options").$type<CustomCommandOption[]>().notNull().default([]),
    template: text("template").notNull(),
    embed: jsonb("embed").$type<CustomCommandEmbed | null>(),
    ephemeral: boolean("ephemeral").notNull().default(false),
    /** Empty: everyone may use it. */
    allowedRoleIds: jsonb("allowed_role_ids").$type<string[]>().notNull().default([]),
    userCooldownSeconds: integer("user_cooldown_seconds").notNull().default(0),
    globalCooldownSeconds: integer("global_cooldown_seconds").notNull().default(0),
    enabled: boolean("enabled").notNull().default(true),
    /** Flushed from the cache's counters (the interaction path never writes Postgres). */
    usageCount: integer("usage_count").notNull().default(0),
    lastUsedAt: at("last_used_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("custom_commands_guild_name_uq").on(t.guildId, t.name), index("custom_commands_tenant_idx").on(t.tenantId, t.guildId)],
);
