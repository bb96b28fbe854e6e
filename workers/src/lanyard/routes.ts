// GET /api/t/:tenantId/discord/presence: Lanyard presence (status, activities, Spotify) of the tenant's members who
// linked their Discord account. Viewers may read it; it shows only what Discord already shows those members' friends.
import { api } from "@nebula/schema";
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { authorize } from "../tenancy/access.ts";
import { memberPresences } from "./presence.ts";

export const presenceRoutes = new Hono<AppEnv>().get("/discord/presence", authorize("discord.read"), async (c) => {
  const { db, config, cache } = c.var.services;
  return c.json(api.MemberPresenceList.parse(await memberPresences(db, { config, cache }, c.var.tenant.tenantId)));
});
