// Alerts over HTTP, under /api/t/:tenantId: the tenant's rules (list, create, change, delete; built-in templates;
// a preview over a host's history) and the alert history (/alert-events). Rule changes reach the hubs at once.
import { api, idPattern } from "@nebula/schema";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { channelNames } from "../discord-guilds/channel-names.ts";
import { assertGuildManager } from "../discord-guilds/require-guild-manager.ts";
import { discordRestFor } from "../discord-rest/shared-client.ts";
import { caller } from "../http/caller.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody, params, query } from "../http/validate.ts";
import { authorize } from "../tenancy/access.ts";
import { listAlertEvents } from "./alert-events.ts";
import { previewAlertRule } from "./alert-preview.ts";
import { type RuleChangeContext, createAlertRule, deleteAlertRule, listAlertRules, updateAlertRule } from "./alert-rules.ts";
import { alertTemplates } from "./alert-templates.ts";

const RuleParams = z.object({ id: z.string().regex(idPattern("alert")) });

function changeContext(c: Context<AppEnv>): RuleChangeContext {
  const { db, keyRing, cache, logger, now, config } = c.var.services;
  return {
    db,
    keyRing,
    cache,
    rest: discordRestFor(config),
    assertGuildManager: (guildId) => assertGuildManager(c, guildId),
    hubs: c.env.AGENT_HUB,
    logger,
    apiBase: config.DISCORD_API_BASE,
    tenantId: c.var.tenant.tenantId,
    actor: caller(c),
    now: now(),
    requestId: c.var.requestId,
  };
}

export const alertRoutes = new Hono<AppEnv>()
  .get("/alert-rules", authorize("alerts.read"), async (c) => {
    const { db, cache, logger, config } = c.var.services;
    const items = await listAlertRules(db, c.var.tenant.tenantId);
    const channels = items.flatMap((r) => (r.destination.kind === "channel" && r.destination.guildId ? [{ guildId: r.destination.guildId, channelId: r.destination.channelId }] : []));
    return c.json(api.AlertRuleList.parse({ items, channelNames: await channelNames(discordRestFor(config), cache, logger, channels) }));
  })
  .get("/alert-rules/templates", authorize("alerts.read"), (c) => c.json(api.AlertTemplateList.parse({ items: alertTemplates() })))
  .post("/alert-rules", authorize("alerts.manage"), jsonBody(api.CreateAlertRuleRequest), async (c) =>
    c.json(api.AlertRuleView.parse(await createAlertRule(changeContext(c), c.req.valid("json"))), 201),
  )
  .post("/alert-rules/preview", authorize("alerts.read"), jsonBody(api.AlertPreviewRequest), async (c) => {
    const { db, now } = c.var.services;
    return c.json(api.AlertPreview.parse(await previewAlertRule(db, c.env.AGENT_HUB, c.var.tenant.tenantId, c.req.valid("json"), now())));
  })
  .patch("/alert-rules/:id", authorize("alerts.manage"), params(RuleParams), jsonBody(api.UpdateAlertRuleRequest), async (c) =>
    c.json(api.AlertRuleView.parse(await updateAlertRule(changeContext(c), c.req.valid("param").id, c.req.valid("json")))),
  )
  .delete("/alert-rules/:id", authorize("alerts.manage"), params(RuleParams), async (c) => {
    await deleteAlertRule(changeContext(c), c.req.valid("param").id);
    return c.body(null, 204);
  })
  .get("/alert-events", authorize("alerts.read"), query(api.AlertEventsQuery), async (c) =>
    c.json(api.AlertEventPage.parse(await listAlertEvents(c.var.services.db, c.var.tenant.tenantId, c.req.valid("query")))),
  );
