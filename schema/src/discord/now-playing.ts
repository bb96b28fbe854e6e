// Now Playing per guild: where Plex's webhook lands and what it may show. Plex cannot sign its webhooks, so the URL
// itself is the credential: /webhooks/plex/<token>, 256 random bits shown once; only its SHA-256 is kept here.
// The live state (who plays what, the Discord message being edited) lives in the guild's NowPlayingBoard object.
import { boolean, index, jsonb, text, uniqueIndex } from "drizzle-orm/pg-core";
import { at, createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { discord } from "./columns.ts";
import { guilds } from "./guilds.ts";

export const nowPlayingSettings = discord.table(
  "now_playing_settings",
  {
    guildId: text("guild_id")
      .primaryKey()
      .references(() => guilds.guildId, { onDelete: "cascade" }),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** SHA-256 (hex) of the webhook URL's token: a lookup by hash reveals nothing about other tokens. */
    tokenHash: text("token_hash").notNull(),
    tokenCreatedAt: at("token_created_at").notNull().defaultNow(),
    channelId: text("channel_id").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    /** Plex account names (Account.title) shown; empty: everyone on the server. */
    plexUsers: jsonb("plex_users").$type<string[]>().notNull().default([]),
    /** Plex library names (Metadata.librarySectionTitle) shown; empty: every library. */
    libraries: jsonb("libraries").$type<string[]>().notNull().default([]),
    /** A user id or `token:<id>`, as the audit log names callers. */
    updatedBy: text("updated_by").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("now_playing_settings_token_hash_key").on(t.tokenHash), index("now_playing_settings_tenant_idx").on(t.tenantId)],
);
