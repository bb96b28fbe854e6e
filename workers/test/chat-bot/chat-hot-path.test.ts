// A chat command → the reply at Helix when the bot speaks with its own connection (user token): once the channel,
// the commands and the token are warm, nothing before the send touches Postgres (the edge's one query is the use count,
// written after the send; the ChatOutbox holds the token in memory). A reconnect hands the outbox the new token, and a
// held token the platform refuses is dropped and the send tried once more with a fresh one. Postgres queries are
// counted at the local bridge: the edge under application names only this file uses, the outbox under its own name.
import { chatChannels, newId } from "@nebula/schema";
import { beforeAll, describe, expect, it } from "vitest";
import { chatOutboxApplicationName, chatOutboxName } from "../../src/chat-bot/chat-outbox.ts";
import { HeldTokens } from "../../src/chat-bot/held-tokens.ts";
import { type ChatChannelRef, chatCredentials, chatPlatform } from "../../src/chat-bot/platform-chat.ts";
import { loadConfig } from "../../src/config/config.ts";
import type { ConnectionRow } from "../../src/connections/connection-tokens.ts";
import type { Env } from "../../src/env.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { platformClients } from "../../src/platforms/platform-clients.ts";
import { createServices } from "../../src/services/services.ts";
import { type Signed, TWITCH, fake, twitchUserId } from "../go-live/go-live-harness.ts";
import { accountId, connect, connectionOf } from "../connections/connection-harness.ts";
import { type SeededTenant, seedTenant, withDb } from "../support/seed.ts";
import { bridgeTraffic, callWorker, envNamed, envWithPostgresDown, recordingQueue } from "../support/worker-call.ts";
import { api, env, twitchChat } from "./chat-bot-harness.ts";

const { queue } = recordingQueue();
const appName = (what: string) => `chat-${what}-${crypto.randomUUID().slice(0, 8)}`;

let tenant: SeededTenant;
let broadcasterId: string;
let bot: { id: string; login: string };
let connection: ConnectionRow;
let outboxApp: string;

/** A signed channel.chat.message delivered to /webhooks/twitch under `workerEnv`, after-answer work included. */
async function chatLine(text: string, workerEnv: Env): Promise<void> {
  const signed = await fake<Signed>(TWITCH, "/__control/twitch/chat-message", { broadcaster_user_id: broadcasterId, chatter_user_id: "565001", chatter_user_login: "viewer", text });
  const res = await callWorker("/webhooks/twitch", { method: "POST", headers: signed.headers, body: signed.body }, { ...workerEnv, DISCORD_QUEUE: queue });
  expect(res.status).toBe(204);
}

const repliesInChannel = async () => (await twitchChat()).messages.filter((m) => m.broadcaster_id === broadcasterId && m.is_sent).map((m) => ({ text: m.message, sender: m.sender_id }));

beforeAll(async () => {
  tenant = await withDb((db) => seedTenant(db, "Chat hot path lab"));
  broadcasterId = twitchUserId();
  bot = { id: accountId("twitch"), login: "hotpathbot" };
  await connect(tenant.tenantId, tenant.owner, "twitch", bot, { feature: "chatbot" });
  connection = (await connectionOf(tenant.tenantId, tenant.owner.userId, "twitch")) as ConnectionRow;
  expect(connection.platformUserId).toBe(bot.id);
  await withDb((db) =>
    db.insert(chatChannels).values({ id: newId("chatChannel"), tenantId: tenant.tenantId, platform: "twitch", channelId: broadcasterId, channelLogin: "hotpath", botUserId: bot.id, botIsModerator: true, connectionId: connection.id }),
  );
  await fake(TWITCH, "/__control/twitch/moderators", { broadcaster_id: broadcasterId, user_id: bot.id });
  for (const name of ["a", "b", "c", "d", "e"]) expect((await api(tenant, "POST", "/commands", { name, response: `reply ${name}`, globalCooldownSeconds: 0 })).status).toBe(201);
  outboxApp = chatOutboxApplicationName(chatOutboxName({ platform: "twitch", botUserId: bot.id }));
});

describe("chat command → reply with the bot's user token", () => {
  it("a warm command is answered with no Postgres query before the send, even with Postgres down", async () => {
    await chatLine("!a", envNamed(appName("cold")));
    expect(await repliesInChannel()).toEqual([{ text: "reply a", sender: bot.id }]);
    // The outbox read and opened the connection's token once.
    const outboxAfterCold = await bridgeTraffic(outboxApp);
    expect(outboxAfterCold.queries).toBeGreaterThan(0);

    const warm = appName("warm");
    await chatLine("!b", envNamed(warm));
    expect((await repliesInChannel()).at(-1)).toEqual({ text: "reply b", sender: bot.id });
    // The edge's only query is the use count, written after the reply was handed to the outbox; the outbox made none.
    expect(await bridgeTraffic(warm)).toEqual({ connections: 1, queries: 1 });
    expect(await bridgeTraffic(outboxApp)).toEqual(outboxAfterCold);

    await chatLine("!c", envWithPostgresDown(appName("down")));
    expect((await repliesInChannel()).at(-1)).toEqual({ text: "reply c", sender: bot.id });
    expect(await bridgeTraffic(outboxApp)).toEqual(outboxAfterCold);
  });

  it("a reconnect hands the outbox the new token: the next reply reads it once, the one after reads nothing", async () => {
    const before = await bridgeTraffic(outboxApp);
    await connect(tenant.tenantId, tenant.owner, "twitch", bot, { feature: "chatbot" });
    await chatLine("!d", envNamed(appName("reconnected")));
    expect((await repliesInChannel()).at(-1)).toEqual({ text: "reply d", sender: bot.id });
    const afterReconnect = await bridgeTraffic(outboxApp);
    expect(afterReconnect.queries).toBeGreaterThan(before.queries);

    await chatLine("!e", envNamed(appName("rewarm")));
    expect((await repliesInChannel()).at(-1)).toEqual({ text: "reply e", sender: bot.id });
    expect(await bridgeTraffic(outboxApp)).toEqual(afterReconnect);
  });

  it("a held token Helix refuses (401) is dropped and the send is tried once more with the connection's token", async () => {
    const config = loadConfig(env);
    const scope = createServices(env, config, createLogger({ test: "chat-hot-path" }, "error"));
    try {
      const held = new HeldTokens();
      held.hold(connection.id, "a-token-twitch-no-longer-accepts", null, Date.now());
      const clients = platformClients(config, scope.services.cache);
      const twitch = chatPlatform("twitch", config, clients, chatCredentials(clients, scope.services, held), scope.services.cache);
      const ref: ChatChannelRef = { platform: "twitch", channelId: broadcasterId, botUserId: bot.id, botIsModerator: true, connectionId: connection.id };
      expect(await twitch.send(ref, "after a refusal", null)).toMatchObject({ sent: true });
      expect((await repliesInChannel()).at(-1)).toEqual({ text: "after a refusal", sender: bot.id });
      // The fresh token is held in place of the refused one.
      expect(held.get(connection.id, Date.now())).not.toBe("a-token-twitch-no-longer-accepts");
      expect(held.get(connection.id, Date.now())).toEqual(expect.any(String));
    } finally {
      await scope.dispose();
    }
  });
});
