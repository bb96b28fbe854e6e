// Home agents: one per host; the agent dials out with its token, stored here only as a hash.
import { index, jsonb, text } from "drizzle-orm/pg-core";
import { at, core, createdAt } from "./columns.ts";
import { tenants } from "./tenants.ts";

export const agents = core.table(
  "agents",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    /** Facts the agent reported in its last hello (hostname, os, version, capabilities). */
    hostFacts: jsonb("host_facts").$type<Record<string, unknown>>(),
    lastSeenAt: at("last_seen_at"),
    revokedAt: at("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [index("agents_tenant_idx").on(t.tenantId)],
);
