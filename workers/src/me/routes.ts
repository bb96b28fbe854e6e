// /api/me, /api/tenants, /api/invites/accept: what a signed-in user does outside any one tenant.
import { api } from "@nebula/schema";
import { Hono } from "hono";
import { discordSignInEnabled } from "../auth/discord-sign-in.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody } from "../http/validate.ts";
import { authOf } from "../http/caller.ts";
import { acceptInvite, createTenant, describeMe, previewInvite, switchTenant } from "./me.ts";

export const meRoutes = new Hono<AppEnv>()
  .get("/me", async (c) => {
    const { db, config } = c.var.services;
    return c.json(api.MeResponse.parse(await describeMe(db, authOf(c), discordSignInEnabled(config))));
  })
  .post("/me/active-tenant", jsonBody(api.SwitchTenantRequest), async (c) => {
    const { db, config } = c.var.services;
    const auth = authOf(c);
    const { tenantId } = c.req.valid("json");
    await switchTenant(db, auth, tenantId);
    const me = await describeMe(db, auth.via === "session" ? { ...auth, activeTenantId: tenantId } : auth, discordSignInEnabled(config));
    return c.json(api.MeResponse.parse(me));
  })
  .post("/tenants", jsonBody(api.CreateTenantRequest), async (c) => {
    const tenant = await createTenant(c.var.services.db, authOf(c), c.req.valid("json").name, c.var.requestId);
    return c.json(api.TenantSummary.parse(tenant), 201);
  })
  // POST, not GET: the token stays out of URLs, logs and caches.
  .post("/invites/preview", jsonBody(api.AcceptInviteRequest), async (c) => {
    const { db, now } = c.var.services;
    return c.json(api.InvitePreview.parse(await previewInvite(db, authOf(c), c.req.valid("json").token, now())));
  })
  .post("/invites/accept", jsonBody(api.AcceptInviteRequest), async (c) => {
    const { db, now } = c.var.services;
    const tenant = await acceptInvite(db, authOf(c), c.req.valid("json").token, now(), c.var.requestId);
    return c.json(api.AcceptInviteResponse.parse({ tenant }));
  });
