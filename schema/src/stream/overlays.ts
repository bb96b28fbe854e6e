// OBS overlays: a tenant's overlay documents (layers on a 1920×1080 canvas, edited in the web editor). The public id
// is what an OBS browser source knows; rotating it revokes every source that had the old one.
import { index, integer, jsonb, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import type { OverlayDocument } from "../wire/overlay.ts";
import { stream } from "./columns.ts";

export const overlays = stream.table(
  "overlays",
  {
    /** `ovl_…` */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** 32 random url-safe characters; also the name of the overlay's OverlayRoom. */
    publicId: text("public_id").notNull(),
    document: jsonb("document").$type<OverlayDocument>().notNull(),
    /** Optimistic concurrency: every save must name the version it read. */
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("overlays_public_id_uq").on(t.publicId), index("overlays_tenant_idx").on(t.tenantId, t.name)],
);
