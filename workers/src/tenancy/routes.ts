// /api/t/:tenantId: the tenant itself (read, rename).
import { api } from "@nebula/schema";
import { Hono } from "hono";
import { caller } from "../http/caller.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody } from "../http/validate.ts";
import { authorize } from "./access.ts";
import { getTenant, renameTenant } from "./tenant.ts";

export const tenantRoutes = new Hono<AppEnv>()
  .get("/", authorize("tenant.read"), async (c) => c.json(api.TenantSummary.parse(await getTenant(c.var.services.db, c.var.tenant))))
  .patch("/", authorize("tenant.update"), jsonBody(api.UpdateTenantRequest), async (c) => {
    const tenant = await renameTenant(c.var.services.db, c.var.tenant, caller(c), c.req.valid("json").name, c.var.requestId);
    return c.json(api.TenantSummary.parse(tenant));
  });
