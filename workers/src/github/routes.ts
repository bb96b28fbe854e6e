// GitHub over HTTP: the public receiver at /webhooks/github/:hookId (signed by the feed's secret, 1 MB body limit)
// and the tenant's feeds under /api/t/:tenantId/github/feeds (viewers read, admins configure, owners set deploys).
import { api, idPattern } from "@nebula/schema";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { limitBody } from "../app.ts";
import { assertGuildManager } from "../discord-guilds/require-guild-manager.ts";
import { discordRestFor } from "../discord-rest/shared-client.ts";
import { caller, publicOrigin } from "../http/caller.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody, params } from "../http/validate.ts";
import { rateLimitFailures } from "../rate-limit/rate-limit.ts";
import { afterResponse } from "../services/services.ts";
import { authorize } from "../tenancy/access.ts";
import {
  type FeedContext,
  HOOK_ID_PATTERN,
  createGithubFeed,
  deleteGithubFeed,
  listGithubDeliveries,
  listGithubFeeds,
  readGithubFeed,
  rotateGithubFeedSecret,
  sendGithubTestMessage,
  updateGithubFeed,
} from "./feeds.ts";
import { MAX_GITHUB_BODY_BYTES, receiveGithubDelivery } from "./receive.ts";

const HookParams = z.object({ hookId: z.string().regex(HOOK_ID_PATTERN) });
const FeedParams = z.object({ id: z.string().regex(idPattern("githubFeed")) });

// Only rejected requests count (a good delivery never touches the limiter): GitHub's senders share addresses.
const signatureFailures = rateLimitFailures({ name: "github-webhooks", limit: 60, windowSeconds: 60 });

export const githubWebhookRoutes = new Hono<AppEnv>().post("/:hookId", limitBody(MAX_GITHUB_BODY_BYTES), signatureFailures, params(HookParams), async (c) => {
  const { services } = c.var;
  const received = await receiveGithubDelivery(
    { env: c.env, config: services.config, cache: services.cache, db: () => services.db, keyRing: services.keyRing, logger: services.logger, now: services.now, requestId: c.var.requestId },
    {
      hookId: c.req.valid("param").hookId,
      event: c.req.header("x-github-event"),
      deliveryId: c.req.header("x-github-delivery"),
      signature: c.req.header("x-hub-signature-256"),
      body: new Uint8Array(await c.req.arrayBuffer()),
    },
  );
  if (received.after) afterResponse(c, received.after());
  return c.json(api.GithubHookAnswer.parse(received.answer), received.httpStatus);
});

function feedContext(c: Context<AppEnv>): FeedContext {
  const { db, cache, keyRing, now, config } = c.var.services;
  return {
    db,
    cache,
    keyRing,
    outboxes: c.env.OUTBOX,
    rest: discordRestFor(config),
    assertGuildManager: (guildId) => assertGuildManager(c, guildId),
    apiBase: config.DISCORD_API_BASE,
    origin: publicOrigin(c),
    access: c.var.tenant,
    actor: caller(c),
    now: now(),
    requestId: c.var.requestId,
  };
}

export const githubFeedRoutes = new Hono<AppEnv>()
  .get("/github/feeds", authorize("github.read"), async (c) =>
    c.json(api.GithubFeedList.parse({ items: await listGithubFeeds({ db: c.var.services.db, origin: publicOrigin(c) }, c.var.tenant.tenantId) })),
  )
  .post("/github/feeds", authorize("github.manage"), jsonBody(api.CreateGithubFeedRequest), async (c) =>
    c.json(api.GithubFeedWithSecret.parse(await createGithubFeed(feedContext(c), c.req.valid("json"))), 201),
  )
  .get("/github/feeds/:id", authorize("github.read"), params(FeedParams), async (c) =>
    c.json(api.GithubFeedView.parse(await readGithubFeed({ db: c.var.services.db, origin: publicOrigin(c) }, c.var.tenant.tenantId, c.req.valid("param").id))),
  )
  .patch("/github/feeds/:id", authorize("github.manage"), params(FeedParams), jsonBody(api.UpdateGithubFeedRequest), async (c) =>
    c.json(api.GithubFeedView.parse(await updateGithubFeed(feedContext(c), c.req.valid("param").id, c.req.valid("json")))),
  )
  .delete("/github/feeds/:id", authorize("github.manage"), params(FeedParams), async (c) => {
    await deleteGithubFeed(feedContext(c), c.req.valid("param").id);
    return c.body(null, 204);
  })
  .post("/github/feeds/:id/rotate-secret", authorize("github.manage"), params(FeedParams), async (c) =>
    c.json(api.GithubFeedWithSecret.parse(await rotateGithubFeedSecret(feedContext(c), c.req.valid("param").id))),
  )
  .post("/github/feeds/:id/test", authorize("github.manage"), params(FeedParams), async (c) =>
    c.json(api.GithubTestDeliveryAnswer.parse(await sendGithubTestMessage(feedContext(c), c.req.valid("param").id)), 202),
  )
  .get("/github/feeds/:id/deliveries", authorize("github.read"), params(FeedParams), async (c) =>
    c.json(api.GithubDeliveryList.parse({ items: await listGithubDeliveries(c.var.services.db, c.var.tenant.tenantId, c.req.valid("param").id) })),
  );
