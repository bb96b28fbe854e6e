// /api/t/:tenantId/invites: invite links with a role; list, create (link shown once), revoke.
import { api, idPattern } from "@nebula/schema";
import { Hono } from "hono";
import { z } from "zod";
import { caller, publicOrigin } from "../http/caller.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody, params } from "../http/validate.ts";
import { authorize } from "../tenancy/access.ts";
import { createInvite, listInvites, revokeInvite } from "./invites.ts";

const InviteParams = z.object({ id: z.string().regex(idPattern("invite")) });

export const inviteRoutes = new Hono<AppEnv>()
  .get("/invites", authorize("invites.read"), async (c) => {
    const { db, now } = c.var.services;
    return c.json(api.InviteList.parse({ items: await listInvites(db, c.var.tenant.tenantId, now()) }));
  })
  .post("/invites", authorize("invites.create"), jsonBody(api.CreateInviteRequest), async (c) => {
    const { db, now } = c.var.services;
    const created = await createInvite(db, c.var.tenant, caller(c), c.req.valid("json"), publicOrigin(c), now(), c.var.requestId);
    return c.json(api.CreatedInvite.parse(created), 201);
  })
  .delete("/invites/:id", authorize("invites.revoke"), params(InviteParams), async (c) => {
    const { db, now } = c.var.services;
    await revokeInvite(db, c.var.tenant, caller(c), c.req.valid("param").id, now(), c.var.requestId);
    return c.body(null, 204);
  });
