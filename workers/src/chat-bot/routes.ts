// The chat bot over HTTP, under /api/t/:tenantId/streams/chat-bot: the overview (channels, commands, timers,
// anti-spam), CRUD for commands, timers and channels, the anti-spam settings, the moderation log with filters, and
// YouTube live chat (the day's API quota and each channel's poller).
// Importing this file also registers the chat handlers on the platform-events queue kind.
import { api, idPattern } from "@nebula/schema";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { callerOf } from "../audit/audit.ts";
import { subscribeAddedKickChannel } from "../connections/kick-events.ts";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody, params, query } from "../http/validate.ts";
import { authorize } from "../tenancy/access.ts";
import "./chat-events.ts";
import {
  type ChatBotAdminDeps,
  addChatChannel,
  channelView,
  chatBotOverview,
  commandView,
  createChatCommand,
  createChatTimer,
  deleteChatCommand,
  deleteChatTimer,
  moderationLogPage,
  removeChatChannel,
  saveAntiSpamSettings,
  timerView,
  updateChatChannel,
  updateChatCommand,
  updateChatTimer,
} from "./chat-bot-admin.ts";
import { youtubeLiveChatOverview } from "./youtube-live-chat-overview.ts";

const BASE = "/streams/chat-bot";
const CommandParams = z.object({ commandId: z.string().regex(idPattern("chatCommand")) });
const TimerParams = z.object({ timerId: z.string().regex(idPattern("chatTimer")) });
const ChannelParams = z.object({ channelId: z.string().regex(idPattern("chatChannel")) });

function depsOf(c: Context<AppEnv>): ChatBotAdminDeps {
  const { services } = c.var;
  return { db: services.db, cache: services.cache, config: services.config, logger: services.logger, now: services.now, requestId: c.var.requestId, timers: (c.env as Partial<AppEnv["Bindings"]>).CHAT_TIMERS ?? null };
}

function actorOf(c: Context<AppEnv>) {
  if (!c.var.auth) throw new AppError("UNAUTHORIZED", "Sign in required");
  return callerOf(c.var.auth);
}

const tenantOf = (c: Context<AppEnv>) => c.var.tenant.tenantId;

export const chatBotRoutes = new Hono<AppEnv>()
  .get(BASE, authorize("chatbot.read"), async (c) => c.json(api.ChatBotOverview.parse(await chatBotOverview(depsOf(c), tenantOf(c)))))
  .post(`${BASE}/commands`, authorize("chatbot.manage"), jsonBody(api.CreateChatCommandRequest), async (c) =>
    c.json(api.ChatCommandView.parse(commandView(await createChatCommand(depsOf(c), tenantOf(c), c.req.valid("json"), actorOf(c)))), 201),
  )
  .patch(`${BASE}/commands/:commandId`, authorize("chatbot.manage"), params(CommandParams), jsonBody(api.UpdateChatCommandRequest), async (c) =>
    c.json(api.ChatCommandView.parse(commandView(await updateChatCommand(depsOf(c), tenantOf(c), c.req.valid("param").commandId, c.req.valid("json"), actorOf(c))))),
  )
  .delete(`${BASE}/commands/:commandId`, authorize("chatbot.manage"), params(CommandParams), async (c) => {
    await deleteChatCommand(depsOf(c), tenantOf(c), c.req.valid("param").commandId, actorOf(c));
    return c.body(null, 204);
  })
  .post(`${BASE}/timers`, authorize("chatbot.manage"), jsonBody(api.CreateChatTimerRequest), async (c) =>
    c.json(api.ChatTimerView.parse(timerView(await createChatTimer(depsOf(c), tenantOf(c), c.req.valid("json"), actorOf(c)))), 201),
  )
  .patch(`${BASE}/timers/:timerId`, authorize("chatbot.manage"), params(TimerParams), jsonBody(api.UpdateChatTimerRequest), async (c) =>
    c.json(api.ChatTimerView.parse(timerView(await updateChatTimer(depsOf(c), tenantOf(c), c.req.valid("param").timerId, c.req.valid("json"), actorOf(c))))),
  )
  .delete(`${BASE}/timers/:timerId`, authorize("chatbot.manage"), params(TimerParams), async (c) => {
    await deleteChatTimer(depsOf(c), tenantOf(c), c.req.valid("param").timerId, actorOf(c));
    return c.body(null, 204);
  })
  .post(`${BASE}/channels`, authorize("chatbot.manage"), jsonBody(api.CreateChatChannelRequest), subscribeAddedKickChannel, async (c) =>
    c.json(api.ChatChannelView.parse(channelView(await addChatChannel(depsOf(c), tenantOf(c), c.req.valid("json"), actorOf(c)))), 201),
  )
  .patch(`${BASE}/channels/:channelId`, authorize("chatbot.manage"), params(ChannelParams), jsonBody(api.UpdateChatChannelRequest), async (c) =>
    c.json(api.ChatChannelView.parse(channelView(await updateChatChannel(depsOf(c), tenantOf(c), c.req.valid("param").channelId, c.req.valid("json"), actorOf(c))))),
  )
  .delete(`${BASE}/channels/:channelId`, authorize("chatbot.manage"), params(ChannelParams), async (c) => {
    await removeChatChannel(depsOf(c), tenantOf(c), c.req.valid("param").channelId, actorOf(c));
    return c.body(null, 204);
  })
  .put(`${BASE}/anti-spam`, authorize("chatbot.manage"), jsonBody(api.AntiSpamSettings), async (c) =>
    c.json(api.AntiSpamSettings.parse(await saveAntiSpamSettings(depsOf(c), tenantOf(c), c.req.valid("json"), actorOf(c)))),
  )
  .get(`${BASE}/log`, authorize("chatbot.read"), query(api.ModerationLogQuery), async (c) =>
    c.json(api.ModerationLogPage.parse(await moderationLogPage(depsOf(c), tenantOf(c), c.req.valid("query")))),
  )
  .get(`${BASE}/youtube`, authorize("chatbot.read"), async (c) => {
    const { db, cache, now } = c.var.services;
    const liveChats = (c.env as Partial<AppEnv["Bindings"]>).YOUTUBE_LIVE_CHAT ?? null;
    return c.json(api.YouTubeLiveChatOverview.parse(await youtubeLiveChatOverview({ db, cache, now, liveChats }, tenantOf(c))));
  });
