// The unified inbox over HTTP: the generic webhook receiver at /webhooks/inbox/:sourceId (public, secret-checked,
// never reading Postgres), and the tenant's /api/t/:tenantId/streams/inbox/… (list, read state, live socket,
// retention, channels, webhooks). Viewers read; operators mark read; admins configure.
import { api, idPattern } from "@nebula/schema";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { recordAudit } from "../audit/audit.ts";
import { subscribeAddedKickChannel } from "../connections/kick-events.ts";
import { caller, publicOrigin } from "../http/caller.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody, params, query } from "../http/validate.ts";
import { relayUpgrade, requireWebSocketUpgrade } from "../http/websocket.ts";
import { rateLimitFailures } from "../rate-limit/rate-limit.ts";
import { afterResponse } from "../services/services.ts";
import { authorize } from "../tenancy/access.ts";
import { getInboxFeedByName } from "./inbox-feed.ts";
import { addInboxSource, listInboxSources, removeInboxSource } from "./inbox-sources.ts";
import { listInbox, markAllInboxRead, markInbox, readInboxSettings, unreadCount, writeInboxSettings } from "./inbox-store.ts";
import {
  INBOX_WEBHOOK_ID,
  type InboxWebhookContext,
  createInboxWebhook,
  deleteInboxWebhook,
  listInboxWebhooks,
  receiveInboxWebhook,
  rotateInboxWebhookSecret,
  updateInboxWebhook,
} from "./inbox-webhooks.ts";

const WebhookParams = z.object({ sourceId: z.string().regex(INBOX_WEBHOOK_ID) });
const IdParams = z.object({ id: z.string().regex(INBOX_WEBHOOK_ID) });
const SourceParams = z.object({ id: z.string().regex(idPattern("inboxSource")) });

// A sender with the right secret never fails; 30 refusals a minute per address is generous for a typo.
const failures = rateLimitFailures({ name: "webhooks-inbox", limit: 30, windowSeconds: 60 });

export const inboxWebhookRoutes = new Hono<AppEnv>().post("/:sourceId", failures, params(WebhookParams), async (c) => {
  const { cache, keyRing, now, logger } = c.var.services;
  const answer = await receiveInboxWebhook(
    { cache, db: () => c.var.services.db, keyRing, queue: c.env.DISCORD_QUEUE, now, requestId: c.var.requestId, logger, waitUntil: (work) => afterResponse(c, work) },
    {
      webhookId: c.req.valid("param").sourceId,
      authorization: c.req.header("authorization"),
      signature: c.req.header("x-nebula-signature"),
      timestamp: c.req.header("x-nebula-timestamp"),
      body: new Uint8Array(await c.req.arrayBuffer()),
    },
  );
  return c.json(api.InboxWebhookAnswer.parse(answer), answer.status === "accepted" ? 202 : 200);
});

function webhookContext(c: Context<AppEnv>): InboxWebhookContext {
  const { db, cache, keyRing, now } = c.var.services;
  return { db, cache, keyRing, tenantId: c.var.tenant.tenantId, actor: caller(c), origin: publicOrigin(c), now: now(), requestId: c.var.requestId };
}

export const inboxRoutes = new Hono<AppEnv>()
  .get("/streams/inbox", authorize("inbox.read"), query(api.InboxListQuery), async (c) =>
    c.json(api.InboxPage.parse(await listInbox(c.var.services.db, c.var.tenant.tenantId, c.req.valid("query")))),
  )
  .get("/streams/inbox/unread", authorize("inbox.read"), async (c) =>
    c.json(api.InboxUnread.parse({ unread: await unreadCount(c.var.services.db, c.var.tenant.tenantId) })),
  )
  .post("/streams/inbox/read", authorize("inbox.triage"), jsonBody(api.MarkInboxRequest), async (c) => {
    const { ids, read } = c.req.valid("json");
    return c.json(api.InboxMarked.parse(await markInbox(c.var.services.db, c.var.tenant.tenantId, ids, read, c.var.services.now())));
  })
  .post("/streams/inbox/read-all", authorize("inbox.triage"), jsonBody(api.MarkAllInboxReadRequest), async (c) => {
    const now = c.var.services.now();
    const before = c.req.valid("json").before;
    return c.json(api.InboxMarked.parse(await markAllInboxRead(c.var.services.db, c.var.tenant.tenantId, before ? new Date(before) : now, now)));
  })
  .get("/streams/inbox/live", authorize("inbox.read"), async (c) => {
    requireWebSocketUpgrade(c.req.header("upgrade"));
    // The feed is the tenant's: the caller was authorized for this tenant above; no credential goes further.
    const headers = new Headers(c.req.raw.headers);
    for (const name of ["cookie", "authorization"]) headers.delete(name);
    return relayUpgrade(await getInboxFeedByName(c.env.INBOX_FEED, c.var.tenant.tenantId).fetch(new Request(c.req.raw.url, { method: "GET", headers })));
  })
  .get("/streams/inbox/settings", authorize("inbox.read"), async (c) =>
    c.json(api.InboxSettings.parse(await readInboxSettings(c.var.services.db, c.var.tenant.tenantId))),
  )
  .put("/streams/inbox/settings", authorize("inbox.manage"), jsonBody(api.InboxSettings), async (c) => {
    const { db, now } = c.var.services;
    const tenantId = c.var.tenant.tenantId;
    const settings = await writeInboxSettings(db, tenantId, c.req.valid("json"), now());
    await recordAudit(db, caller(c), { tenantId, action: "inbox.settings.update", targetType: "inbox_settings", targetId: tenantId, details: settings }, c.var.requestId);
    return c.json(api.InboxSettings.parse(settings));
  })
  .get("/streams/inbox/sources", authorize("inbox.read"), async (c) =>
    c.json({ items: z.array(api.InboxSourceView).parse(await listInboxSources(c.var.services.db, c.var.tenant.tenantId)) }),
  )
  .post("/streams/inbox/sources", authorize("inbox.manage"), jsonBody(api.CreateInboxSourceRequest), subscribeAddedKickChannel, async (c) =>
    c.json(api.InboxSourceView.parse(await addInboxSource(c.var.services, c.var.tenant.tenantId, caller(c), c.req.valid("json"), c.var.requestId)), 201),
  )
  .delete("/streams/inbox/sources/:id", authorize("inbox.manage"), params(SourceParams), async (c) => {
    await removeInboxSource(c.var.services, c.var.tenant.tenantId, caller(c), c.req.valid("param").id, c.var.requestId);
    return c.body(null, 204);
  })
  .get("/streams/inbox/webhooks", authorize("inbox.manage"), async (c) =>
    c.json({ items: z.array(api.InboxWebhookView).parse(await listInboxWebhooks(c.var.services.db, publicOrigin(c), c.var.tenant.tenantId)) }),
  )
  .post("/streams/inbox/webhooks", authorize("inbox.manage"), jsonBody(api.CreateInboxWebhookRequest), async (c) =>
    c.json(api.InboxWebhookWithSecret.parse(await createInboxWebhook(webhookContext(c), c.req.valid("json"))), 201),
  )
  .patch("/streams/inbox/webhooks/:id", authorize("inbox.manage"), params(IdParams), jsonBody(api.UpdateInboxWebhookRequest), async (c) =>
    c.json(api.InboxWebhookView.parse(await updateInboxWebhook(webhookContext(c), c.req.valid("param").id, c.req.valid("json")))),
  )
  .delete("/streams/inbox/webhooks/:id", authorize("inbox.manage"), params(IdParams), async (c) => {
    await deleteInboxWebhook(webhookContext(c), c.req.valid("param").id);
    return c.body(null, 204);
  })
  .post("/streams/inbox/webhooks/:id/rotate-secret", authorize("inbox.manage"), params(IdParams), async (c) =>
    c.json(api.InboxWebhookWithSecret.parse(await rotateInboxWebhookSecret(webhookContext(c), c.req.valid("param").id))),
  );
