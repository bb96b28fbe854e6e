// /api/t/:tenantId/members: list members, change a role, remove a member.
import { api, idPattern } from "@nebula/schema";
import { Hono } from "hono";
import { z } from "zod";
import { caller } from "../http/caller.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody, params } from "../http/validate.ts";
import { authorize } from "../tenancy/access.ts";
import { changeMemberRole, listMembers, removeMember } from "./members.ts";

const MemberParams = z.object({ id: z.string().regex(idPattern("membership")) });

export const memberRoutes = new Hono<AppEnv>()
  .get("/members", authorize("members.read"), async (c) =>
    c.json(api.MemberList.parse({ items: await listMembers(c.var.services.db, c.var.tenant.tenantId) })),
  )
  .patch("/members/:id", authorize("members.update"), params(MemberParams), jsonBody(api.UpdateMemberRequest), async (c) => {
    const member = await changeMemberRole(c.var.services.db, c.var.tenant, caller(c), c.req.valid("param").id, c.req.valid("json").role, c.var.requestId);
    return c.json(api.Member.parse(member));
  })
  .delete("/members/:id", authorize("members.remove"), params(MemberParams), async (c) => {
    await removeMember(c.var.services.db, c.var.tenant, caller(c), c.req.valid("param").id, c.var.requestId);
    return c.body(null, 204);
  });
