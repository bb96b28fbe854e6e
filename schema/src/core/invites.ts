// An invitation link: whoever opens it (signed in) joins the tenant with the role it carries.
import { index, integer, text } from "drizzle-orm/pg-core";
import { at, core, createdAt } from "./columns.ts";
import { roleEnum } from "./memberships.ts";
import { tenants } from "./tenants.ts";
import { users } from "./users.ts";

export const invites = core.table(
  "invites",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
    role: roleEnum("role").notNull(),
    /** SHA-256 of the link's secret; the secret itself is shown once. */
    tokenHash: text("token_hash").notNull().unique(),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    maxUses: integer("max_uses").notNull().default(1),
    uses: integer("uses").notNull().default(0),
    expiresAt: at("expires_at").notNull(),
    revokedAt: at("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [index("invites_tenant_idx").on(t.tenantId)],
);
