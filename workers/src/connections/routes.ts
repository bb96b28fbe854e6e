// Platform connections over HTTP: /api/t/:tenantId/streams/connections (the caller's own, all for admins, connect,
// upgrade to the chat bot's scopes, disconnect) and the platforms' OAuth callback at /auth/platforms/:platform/callback,
// which lands the browser back on the settings page with `connected=` or `connection_error=`.
import { api, can } from "@nebula/schema";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { authenticate } from "../auth/authenticate.ts";
import { forgetChatToken } from "../chat-bot/chat-outbox.ts";
import { authOf, caller, publicOrigin } from "../http/caller.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody, params, query } from "../http/validate.ts";
import { rateLimit } from "../rate-limit/rate-limit.ts";
import { afterResponse } from "../services/services.ts";
import { authorize, tokenScopeAllows } from "../tenancy/access.ts";
import { ConnectError, finishConnect, startConnect } from "./connect-flow.ts";
import { registerInboxSource, resubscribeConnectionEvents, subscribeAfterConnect } from "./connection-inbox.ts";
import { connectionInTenant, disconnect, myConnections, tenantConnections } from "./connections.ts";
// Registers the revocation handler: a subscription Twitch revokes shows on the Streams page.
import "./eventsub-status.ts";

const PlatformParams = z.object({ platform: api.ConnectionPlatform });
const ConnectionParams = z.object({ id: z.string().regex(/^pcn_[0-9a-z]{16}$/) });

const connectLimit = rateLimit({ name: "platform-connect", limit: 20, windowSeconds: 60, key: (c) => c.var.auth?.user.id ?? "anonymous" });

const isAdmin = (c: Context<AppEnv>) => can(c.var.tenant.role, "connections.admin") && tokenScopeAllows(c.var.tenant.scopes, "connections.admin");

export const connectionRoutes = new Hono<AppEnv>()
  .get("/streams/connections", authorize("connections.manage"), async (c) =>
    c.json(api.MyConnections.parse(await myConnections(c.var.services, c.var.tenant.tenantId, authOf(c).user.id))),
  )
  .get("/streams/connections/all", authorize("connections.admin"), async (c) =>
    c.json(api.TenantConnectionList.parse(await tenantConnections(c.var.services, c.var.tenant.tenantId))),
  )
  .post("/streams/connections/:platform/connect", authorize("connections.manage"), params(PlatformParams), connectLimit, jsonBody(api.StartConnectRequest), async (c) => {
    const body = c.req.valid("json");
    const user = authOf(c).user;
    const result = await startConnect(c.var.services, {
      tenantId: c.var.tenant.tenantId,
      userId: user.id,
      userName: user.name,
      platform: c.req.valid("param").platform,
      feature: body.feature,
      origin: publicOrigin(c),
      returnTo: body.returnTo,
    });
    return c.json(api.AuthorizeRedirect.parse(result));
  })
  .post("/streams/connections/:id/upgrade", authorize("connections.manage"), params(ConnectionParams), connectLimit, jsonBody(api.UpgradeConnectionRequest), async (c) => {
    const user = authOf(c).user;
    // Only the owner can grant their own account's scopes.
    const row = await connectionInTenant(c.var.services, c.var.tenant.tenantId, c.req.valid("param").id, { userId: user.id, isAdmin: false });
    const result = await startConnect(c.var.services, {
      tenantId: row.tenantId,
      userId: user.id,
      userName: user.name,
      platform: row.platform,
      feature: "chatbot",
      upgradeOf: row,
      origin: publicOrigin(c),
      returnTo: c.req.valid("json").returnTo,
    });
    return c.json(api.AuthorizeRedirect.parse(result));
  })
  // Re-creates the event subscriptions that failed or that Twitch revoked (the Streams page's Retry).
  .post("/streams/connections/:id/eventsub/retry", authorize("connections.manage"), params(ConnectionParams), connectLimit, async (c) => {
    const services = c.var.services;
    const row = await connectionInTenant(services, c.var.tenant.tenantId, c.req.valid("param").id, { userId: authOf(c).user.id, isAdmin: isAdmin(c) });
    return c.json(api.ConnectionView.parse(await resubscribeConnectionEvents(services, row, caller(c), c.var.requestId)));
  })
  .delete("/streams/connections/:id", authorize("connections.manage"), params(ConnectionParams), async (c) => {
    const services = c.var.services;
    const row = await connectionInTenant(services, c.var.tenant.tenantId, c.req.valid("param").id, { userId: authOf(c).user.id, isAdmin: isAdmin(c) });
    await disconnect(services, row, caller(c), c.var.requestId, { liveChats: c.env.YOUTUBE_LIVE_CHAT ?? null, timers: c.env.CHAT_TIMERS ?? null });
    // The chat bot must stop speaking as this account now, even where the platform's revoke did not go through
    // (if the outbox cannot be told, it reads the connection again within HOLD_MS and finds it gone).
    await forgetChatToken(c.env.CHAT_OUTBOX, row).catch((err: unknown) => services.logger.warn("connections: the chat outbox was not told of the disconnect", { connectionId: row.id, err }));
    return c.body(null, 204);
  });

const CallbackQuery = z.object({
  code: z.string().max(2000).optional(),
  state: z.string().max(200).optional(),
  error: z.string().max(200).optional(),
});

function landing(returnTo: string, params: Record<string, string>): string {
  const url = new URL(returnTo, "http://x");
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return `${url.pathname}${url.search}`;
}

export const platformCallbackRoutes = new Hono<AppEnv>().get("/:platform/callback", params(PlatformParams), query(CallbackQuery), authenticate, async (c) => {
  const { services } = c.var;
  const platform = c.req.valid("param").platform;
  const q = c.req.valid("query");
  const auth = c.var.auth;
  try {
    const { connection, returnTo } = await finishConnect(services, {
      platform,
      state: q.state ?? "",
      code: q.code ?? null,
      error: q.error ?? null,
      sessionUserId: auth?.via === "session" ? auth.user.id : null,
      origin: publicOrigin(c),
      requestId: c.var.requestId,
    });
    // A reconnect or upgrade wrote new tokens (maybe new scopes): the chat bot's outbox stops using the old one.
    await forgetChatToken(c.env.CHAT_OUTBOX, connection).catch((err: unknown) => services.logger.warn("connections: the chat outbox was not told of new tokens", { connectionId: connection.id, err }));
    if (connection.platform === "twitch" || connection.platform === "kick") {
      // The channel feeds its owner's inbox: the source now (one insert while Postgres is warm), the webhook
      // subscriptions after the browser has its redirect. Neither fails the connect; failures are logged.
      await registerInboxSource(services, connection);
      afterResponse(c, subscribeAfterConnect(c.env, services.config, services.logger, connection));
    }
    return c.redirect(landing(returnTo, { connected: platform }));
  } catch (err) {
    if (!(err instanceof ConnectError)) throw err;
    services.logger.warn("platform connection failed", { platform, failure: err.failure, error: err.message });
    return c.redirect(landing(err.returnTo, { connection_error: err.failure, platform }));
  }
});
