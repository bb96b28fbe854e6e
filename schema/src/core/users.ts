// A person who can sign in: through Discord, or the first owner made by the bootstrap link.
import { text, uniqueIndex } from "drizzle-orm/pg-core";
import { core, createdAt, updatedAt } from "./columns.ts";

export const users = core.table(
  "users",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    discordId: text("discord_id"),
    avatarUrl: text("avatar_url"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("users_discord_id_key").on(t.discordId)],
);
