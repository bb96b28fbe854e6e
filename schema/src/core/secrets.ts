// Third-party secrets, encrypted with AES-256-GCM under a versioned key; never stored in plaintext.
import { index, text, uniqueIndex } from "drizzle-orm/pg-core";
import { core, createdAt, updatedAt } from "./columns.ts";
import { tenants } from "./tenants.ts";

export const secrets = core.table(
  "secrets",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
    /** What the secret is for, e.g. `discord.bot_token` or `twitch.oauth:<user>`. */
    name: text("name").notNull(),
    /** Key version that sealed it, e.g. `v2`; rotation re-encrypts rows whose version is not current. */
    keyVersion: text("key_version").notNull(),
    /** base64(iv || ciphertext || tag). */
    ciphertext: text("ciphertext").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("secrets_tenant_name_key").on(t.tenantId, t.name), index("secrets_key_version_idx").on(t.keyVersion)],
);
