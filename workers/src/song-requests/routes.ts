// Song requests over HTTP, under /api/t/:tenantId/streams/song-requests: the queue (what plays, what waits, what
// played), add by link or id, remove, move, skip to the next song, clear, and the rules. Operators run the queue;
// admins change its rules.
import { api, idPattern } from "@nebula/schema";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { caller } from "../http/caller.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody, params } from "../http/validate.ts";
import { authorize } from "../tenancy/access.ts";
import { type SongRequestDeps, clearQueue, moveSong, removeSong, requestSong, saveSongSettings, skipSong, songQueue } from "./song-requests.ts";

const BASE = "/streams/song-requests";
const SongParams = z.object({ songId: z.string().regex(idPattern("songRequest")) });

function depsOf(c: Context<AppEnv>): SongRequestDeps {
  const { db, cache, config, logger, now } = c.var.services;
  return { db, cache, config, logger, now, queues: c.env.SONG_QUEUE, requestId: c.var.requestId };
}

const tenantOf = (c: Context<AppEnv>) => c.var.tenant.tenantId;
const queueOf = async (c: Context<AppEnv>) => c.json(api.SongQueueView.parse(await songQueue(depsOf(c), tenantOf(c))));

export const songRequestRoutes = new Hono<AppEnv>()
  .get(BASE, authorize("songrequests.read"), (c) => queueOf(c))
  .post(`${BASE}/queue`, authorize("songrequests.queue"), jsonBody(api.AddSongRequest), async (c) => {
    const who = caller(c);
    const requester = { name: who.userName, platform: "dashboard" as const, id: who.userId, privileged: true };
    return c.json(api.AddedSongRequest.parse(await requestSong(depsOf(c), tenantOf(c), c.req.valid("json").video, requester, who)), 201);
  })
  .delete(`${BASE}/queue`, authorize("songrequests.queue"), async (c) => {
    await clearQueue(depsOf(c), tenantOf(c), caller(c));
    return queueOf(c);
  })
  .delete(`${BASE}/queue/:songId`, authorize("songrequests.queue"), params(SongParams), async (c) => {
    await removeSong(depsOf(c), tenantOf(c), c.req.valid("param").songId, caller(c));
    return c.body(null, 204);
  })
  .post(`${BASE}/queue/:songId/move`, authorize("songrequests.queue"), params(SongParams), jsonBody(api.MoveSongRequest), async (c) => {
    await moveSong(depsOf(c), tenantOf(c), c.req.valid("param").songId, c.req.valid("json").position, caller(c));
    return queueOf(c);
  })
  .post(`${BASE}/skip`, authorize("songrequests.queue"), async (c) => {
    await skipSong(depsOf(c), tenantOf(c), caller(c));
    return queueOf(c);
  })
  .put(`${BASE}/settings`, authorize("songrequests.manage"), jsonBody(api.SongRequestSettings), async (c) =>
    c.json(api.SongRequestSettings.parse(await saveSongSettings(depsOf(c), tenantOf(c), c.req.valid("json"), caller(c)))),
  );
