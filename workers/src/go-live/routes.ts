// Go-live over HTTP, under /api/t/:tenantId/go-live: tracked streamers (list, add, change, remove), their stream
// sessions, platform status (connected or not, YouTube quota), and "send test alert".
import { api } from "@nebula/schema";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { assertGuildManager } from "../discord-guilds/require-guild-manager.ts";
import { caller } from "../http/caller.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody, params, query } from "../http/validate.ts";
import { platformStatus } from "../platforms/platform-clients.ts";
import { quotaUsage } from "../platforms/youtube/youtube-quota.ts";
import { authorize } from "../tenancy/access.ts";
import { goLiveDeps } from "./go-live-deps.ts";
import "./sources.ts";
import { type Actor, addStreamer, getStreamer, listSessions, listStreamers, removeStreamer, sendTestAlert, streamerView, updateStreamer } from "./streamers.ts";

const StreamerParams = z.object({ id: z.string().regex(/^str_[0-9a-z]{16}$/) });
const ListQuery = z.object({ guildId: z.string().regex(/^\d{5,25}$/).optional() });

const depsOf = (c: Context<AppEnv>) => goLiveDeps(c.env, c.var.services);
const actorOf = (c: Context<AppEnv>): Actor => ({ ...caller(c), requestId: c.var.requestId });
/** Changing a tracked streamer needs Manage Server in its guild too (as guild settings do); reads need the tenant role only. */
const manageStoredStreamer = async (c: Context<AppEnv>, id: string) => assertGuildManager(c, (await getStreamer(depsOf(c), c.var.tenant.tenantId, id)).guildId);

export const goLiveRoutes = new Hono<AppEnv>()
  .get("/go-live/status", authorize("streams.read"), async (c) => {
    const { config, cache, now } = c.var.services;
    return c.json(api.GoLiveStatus.parse({ platforms: platformStatus(config), youtubeQuota: await quotaUsage(cache, now().getTime()) }));
  })
  .get("/go-live/streamers", authorize("streams.read"), query(ListQuery), async (c) => {
    const deps = depsOf(c);
    const rows = await listStreamers(deps, c.var.tenant.tenantId, c.req.valid("query").guildId);
    return c.json(api.TrackedStreamerList.parse({ items: rows.map((r) => streamerView(deps, r)) }));
  })
  .post("/go-live/streamers", authorize("streams.manage"), jsonBody(api.CreateTrackedStreamerRequest), async (c) => {
    await assertGuildManager(c, c.req.valid("json").guildId);
    const deps = depsOf(c);
    const row = await addStreamer(deps, c.var.tenant.tenantId, c.req.valid("json"), actorOf(c));
    return c.json(api.TrackedStreamerView.parse(streamerView(deps, row)), 201);
  })
  .patch("/go-live/streamers/:id", authorize("streams.manage"), params(StreamerParams), jsonBody(api.UpdateTrackedStreamerRequest), async (c) => {
    await manageStoredStreamer(c, c.req.valid("param").id);
    const deps = depsOf(c);
    const row = await updateStreamer(deps, c.var.tenant.tenantId, c.req.valid("param").id, c.req.valid("json"), actorOf(c));
    return c.json(api.TrackedStreamerView.parse(streamerView(deps, row)));
  })
  .delete("/go-live/streamers/:id", authorize("streams.manage"), params(StreamerParams), async (c) => {
    await manageStoredStreamer(c, c.req.valid("param").id);
    await removeStreamer(depsOf(c), c.var.tenant.tenantId, c.req.valid("param").id, actorOf(c));
    return c.body(null, 204);
  })
  .post("/go-live/streamers/:id/test", authorize("streams.test"), params(StreamerParams), async (c) => {
    await manageStoredStreamer(c, c.req.valid("param").id);
    return c.json(api.TestAlertResult.parse(await sendTestAlert(depsOf(c), c.var.tenant.tenantId, c.req.valid("param").id, actorOf(c))), 202);
  })
  .get("/go-live/sessions", authorize("streams.read"), query(api.StreamSessionsQuery), async (c) =>
    c.json(api.StreamSessionList.parse({ items: await listSessions(depsOf(c), c.var.tenant.tenantId, c.req.valid("query")) })),
  );
