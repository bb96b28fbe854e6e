// Custom commands over HTTP, under /api/t/:tenantId/discord/guilds/:guildId/commands: list (with usage and the
// registration status), create, change, delete, usage, and re-register. Tenant role first (authorize), then Manage
// Server in that guild (requireGuildManager).
import { api, idPattern } from "@nebula/schema";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { callerOf } from "../audit/audit.ts";
import { type GuildEnv, requireGuildManager } from "../discord-guilds/require-guild-manager.ts";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody, params } from "../http/validate.ts";
import { authorize } from "../tenancy/access.ts";
import { type CustomCommandDeps, commandView, createCustomCommand, customCommandUsage, deleteCustomCommand, listCustomCommands, reRegisterCommands, updateCustomCommand } from "./custom-commands.ts";

const CommandParams = z.object({ guildId: z.string(), commandId: z.string().regex(idPattern("customCommand")) });
const BASE = "/discord/guilds/:guildId/commands";

function depsOf(c: Context<GuildEnv>): CustomCommandDeps {
  const { services } = c.var;
  return { db: services.db, cache: services.cache, queue: (c.env as Partial<AppEnv["Bindings"]>).DISCORD_QUEUE ?? null, now: services.now, requestId: c.var.requestId };
}

function actorOf(c: Context<GuildEnv>) {
  if (!c.var.auth) throw new AppError("UNAUTHORIZED", "Sign in required");
  return callerOf(c.var.auth);
}

/** The guild requireGuildManager checked (linked to this tenant, managed by the caller). */
const guildOf = (c: Context<GuildEnv>) => c.var.discordGuild.row.guildId;

export const customCommandRoutes = new Hono<AppEnv>()
  .get(BASE, authorize("discord.read"), requireGuildManager, async (c) =>
    c.json(api.CustomCommandList.parse(await listCustomCommands(depsOf(c), c.var.tenant.tenantId, guildOf(c)))),
  )
  .get(`${BASE}/usage`, authorize("discord.read"), requireGuildManager, async (c) =>
    c.json(api.CustomCommandUsage.parse(await customCommandUsage(depsOf(c), c.var.tenant.tenantId, guildOf(c)))),
  )
  .post(`${BASE}/register`, authorize("discord.manage"), requireGuildManager, async (c) =>
    c.json(api.CommandRegistrationView.parse(await reRegisterCommands(depsOf(c), c.var.tenant.tenantId, guildOf(c), actorOf(c))), 202),
  )
  .post(BASE, authorize("discord.manage"), requireGuildManager, jsonBody(api.CreateCustomCommandRequest), async (c) => {
    const row = await createCustomCommand(depsOf(c), c.var.tenant.tenantId, guildOf(c), c.req.valid("json"), actorOf(c));
    return c.json(api.CustomCommandView.parse(commandView(row)), 201);
  })
  .patch(`${BASE}/:commandId`, authorize("discord.manage"), requireGuildManager, params(CommandParams), jsonBody(api.UpdateCustomCommandRequest), async (c) => {
    const row = await updateCustomCommand(depsOf(c), c.var.tenant.tenantId, guildOf(c), c.req.valid("param").commandId, c.req.valid("json"), actorOf(c));
    return c.json(api.CustomCommandView.parse(commandView(row)));
  })
  .delete(`${BASE}/:commandId`, authorize("discord.manage"), requireGuildManager, params(CommandParams), async (c) => {
    await deleteCustomCommand(depsOf(c), c.var.tenant.tenantId, guildOf(c), c.req.valid("param").commandId, actorOf(c));
    return c.body(null, 204);
  });
