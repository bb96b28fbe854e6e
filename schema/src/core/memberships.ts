// Membership of a user in a tenant, with the role that decides what they may do there.
import { index, text, uniqueIndex } from "drizzle-orm/pg-core";
import { core, createdAt, updatedAt } from "./columns.ts";
import { tenants } from "./tenants.ts";
import { users } from "./users.ts";
import { ROLES } from "./roles.ts";

export const roleEnum = core.enum("role", ROLES);

export const memberships = core.table(
  "memberships",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    role: roleEnum("role").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("memberships_tenant_user_key").on(t.tenantId, t.userId), index("memberships_user_idx").on(t.userId)],
);
