// Discord servers (guilds) linked to a tenant by the "Add to server" flow. A guild belongs to one tenant at a time;
// unlinking keeps the row (removed_at) so history and audit stay readable, and another tenant may link it later.
import { index, text } from "drizzle-orm/pg-core";
import { at, createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { users } from "../core/users.ts";
import { discord } from "./columns.ts";

export const guilds = discord.table(
  "guilds",
  {
    /** Discord's guild snowflake: a guild is one row, whichever tenant holds it. */
    guildId: text("guild_id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** Discord's icon hash (cdn.discordapp.com/icons/<guild>/<hash>.png), or null. */
    icon: text("icon"),
    installedBy: text("installed_by").references(() => users.id, { onDelete: "set null" }),
    /** The Discord account that approved the install (it had Manage Server there). */
    installedByDiscordId: text("installed_by_discord_id"),
    installedAt: at("installed_at").notNull().defaultNow(),
    removedAt: at("removed_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("guilds_tenant_idx").on(t.tenantId)],
);
