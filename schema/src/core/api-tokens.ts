// API tokens for scripts and integrations: shown once, stored hashed, scoped, revocable.
import { index, jsonb, text } from "drizzle-orm/pg-core";
import { at, core, createdAt } from "./columns.ts";
import { tenants } from "./tenants.ts";
import { users } from "./users.ts";

export const apiTokens = core.table(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** First characters of the token, safe to show so a user can tell tokens apart. */
    prefix: text("prefix").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    scopes: jsonb("scopes").$type<string[]>().notNull(),
    lastUsedAt: at("last_used_at"),
    expiresAt: at("expires_at"),
    revokedAt: at("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [index("api_tokens_tenant_idx").on(t.tenantId)],
);
