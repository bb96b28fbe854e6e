// Server-side sessions: the cookie holds a 256-bit random token, the row only its SHA-256.
import { index, text } from "drizzle-orm/pg-core";
import { at, core, createdAt } from "./columns.ts";
import { tenants } from "./tenants.ts";
import { users } from "./users.ts";

export const sessions = core.table(
  "sessions",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull().unique(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    /** The tenant the user last switched to. */
    activeTenantId: text("active_tenant_id").references(() => tenants.id, { onDelete: "set null" }),
    userAgent: text("user_agent"),
    expiresAt: at("expires_at").notNull(),
    lastSeenAt: at("last_seen_at").notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);
