// /api/t/:tenantId/audit: the tenant's audit log, newest first, paged by cursor.
import { api } from "@nebula/schema";
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { query } from "../http/validate.ts";
import { authorize } from "../tenancy/access.ts";
import { readAuditLog } from "./audit-query.ts";

export const auditRoutes = new Hono<AppEnv>().get("/audit", authorize("audit.read"), query(api.AuditQuery), async (c) =>
  c.json(api.AuditPage.parse(await readAuditLog(c.var.services.db, c.var.tenant.tenantId, c.req.valid("query")))),
);
