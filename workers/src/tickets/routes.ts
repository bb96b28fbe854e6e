// Tickets over HTTP, under /api/t/:tenantId/discord/guilds/:guildId/tickets: settings and panels (admins who also
// have Manage Server in the guild: these are the guild's settings), posting a panel, and for the tenant's people
// the ticket list, one ticket with its transcript, the HTML download, stats, and closing from the dashboard.
// Reading and handling tickets needs only the tenant role (a viewer rarely holds Manage Server in Discord).
import { api } from "@nebula/schema";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { discordIdOf, tenantGuild } from "../discord-guilds/guilds.ts";
import { requireGuildManager } from "../discord-guilds/require-guild-manager.ts";
import { type Caller, callerOf } from "../audit/audit.ts";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody, params, query } from "../http/validate.ts";
import { authorize } from "../tenancy/access.ts";
import { closeTicket } from "./close-ticket.ts";
import { deletePanel, postPanel, readConfig, savePanel, updateSettings } from "./ticket-config.ts";
import { type TicketActor, ticketDeps } from "./ticket-deps.ts";
import { listTickets, ticketDetail, ticketStats, ticketSummary, transcriptOf } from "./ticket-queries.ts";
import { ticketOfTenant } from "./ticket-rows.ts";
import { transcriptHtml } from "./transcript-html.ts";

const BASE = "/discord/guilds/:guildId/tickets";

/** The guild must be this tenant's (another tenant's guild is the same 404 as a missing one). */
const tenantOwnsGuild = createMiddleware<AppEnv>(async (c, next) => {
  await tenantGuild(c.var.services.db, c.var.tenant.tenantId, c.req.param("guildId") ?? "");
  await next();
});

/** Structural, so the helpers also take the contexts requireGuildManager widened. */
type Vars = { var: AppEnv["Variables"] };
const depsOf = (c: Vars) => ticketDeps(c.var.services);
const tenantOf = (c: Vars) => c.var.tenant.tenantId;
function caller(c: Vars): Caller {
  if (!c.var.auth) throw new AppError("UNAUTHORIZED", "Sign in required");
  return callerOf(c.var.auth);
}

export const ticketRoutes = new Hono<AppEnv>()
  .get(`${BASE}/config`, authorize("tickets.read"), params(api.TicketGuildParams), tenantOwnsGuild, async (c) =>
    c.json(api.TicketConfigView.parse(await readConfig(c.var.services.db, tenantOf(c), c.req.valid("param").guildId))),
  )
  .patch(`${BASE}/settings`, authorize("tickets.manage"), params(api.TicketGuildParams), requireGuildManager, jsonBody(api.UpdateTicketSettingsRequest), async (c) =>
    c.json(api.TicketSettings.parse(await updateSettings(depsOf(c), tenantOf(c), c.req.valid("param").guildId, c.req.valid("json"), caller(c), c.var.requestId))),
  )
  .post(`${BASE}/panels`, authorize("tickets.manage"), params(api.TicketGuildParams), requireGuildManager, jsonBody(api.TicketPanelInput), async (c) =>
    c.json(api.TicketPanelView.parse(await savePanel(depsOf(c), tenantOf(c), c.req.valid("param").guildId, null, c.req.valid("json"), caller(c), c.var.requestId)), 201),
  )
  .put(`${BASE}/panels/:panelId`, authorize("tickets.manage"), params(api.TicketPanelParams), requireGuildManager, jsonBody(api.TicketPanelInput), async (c) => {
    const p = c.req.valid("param");
    return c.json(api.TicketPanelView.parse(await savePanel(depsOf(c), tenantOf(c), p.guildId, p.panelId, c.req.valid("json"), caller(c), c.var.requestId)));
  })
  .delete(`${BASE}/panels/:panelId`, authorize("tickets.manage"), params(api.TicketPanelParams), requireGuildManager, async (c) => {
    const p = c.req.valid("param");
    await deletePanel(depsOf(c), tenantOf(c), p.guildId, p.panelId, caller(c), c.var.requestId);
    return c.body(null, 204);
  })
  .post(`${BASE}/panels/:panelId/post`, authorize("tickets.manage"), params(api.TicketPanelParams), requireGuildManager, async (c) => {
    const p = c.req.valid("param");
    return c.json(api.PostedPanel.parse(await postPanel(depsOf(c), tenantOf(c), p.guildId, p.panelId, caller(c), c.var.requestId)));
  })
  .get(BASE, authorize("tickets.read"), params(api.TicketGuildParams), tenantOwnsGuild, query(api.TicketListQuery), async (c) =>
    c.json(api.TicketPage.parse(await listTickets(c.var.services.db, tenantOf(c), c.req.valid("param").guildId, c.req.valid("query")))),
  )
  .get(`${BASE}/stats`, authorize("tickets.read"), params(api.TicketGuildParams), tenantOwnsGuild, query(api.TicketStatsQuery), async (c) => {
    const since = c.req.valid("query").since;
    return c.json(api.TicketStats.parse(await ticketStats(c.var.services.db, tenantOf(c), c.req.valid("param").guildId, since ? new Date(since) : null)));
  })
  .get(`${BASE}/:ticketId`, authorize("tickets.read"), params(api.TicketIdParams), async (c) => {
    const p = c.req.valid("param");
    return c.json(api.TicketDetail.parse(await ticketDetail(c.var.services.db, tenantOf(c), p.guildId, p.ticketId)));
  })
  .get(`${BASE}/:ticketId/transcript.html`, authorize("tickets.read"), params(api.TicketIdParams), async (c) => {
    const p = c.req.valid("param");
    const db = c.var.services.db;
    const guild = await tenantGuild(db, tenantOf(c), p.guildId);
    const t = await ticketOfTenant(db, tenantOf(c), p.guildId, p.ticketId);
    // The app's CSP (no inline scripts) covers it in the browser; the file carries its own CSP for when it is opened
    // from disk after the download.
    const html = transcriptHtml({ ...t, guildName: guild.name, truncated: t.transcriptTruncated, messages: await transcriptOf(db, t.id) });
    return c.body(html, 200, {
      "content-type": "text/html; charset=utf-8",
      "content-disposition": `attachment; filename="ticket-${t.number}.html"`,
      "x-content-type-options": "nosniff",
    });
  })
  .post(`${BASE}/:ticketId/close`, authorize("tickets.handle"), params(api.TicketIdParams), jsonBody(api.CloseTicketRequest), async (c) => {
    const p = c.req.valid("param");
    const deps = depsOf(c);
    const who = caller(c);
    const ticket = await ticketOfTenant(deps.db, tenantOf(c), p.guildId, p.ticketId);
    const actor: TicketActor = { discordId: await discordIdOf(deps.db, who.userId), name: who.name, auditId: who.id, requestId: c.var.requestId };
    const outcome = await closeTicket(deps, ticket, { reason: c.req.valid("json").reason ?? null, actor });
    return c.json(api.TicketSummary.parse(ticketSummary(outcome.ticket)));
  });
