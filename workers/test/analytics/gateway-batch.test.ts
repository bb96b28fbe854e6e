// Gateway analytics through the queue consumer: a batch of gateway events is counted with one Postgres statement on
// the consumer's one connection (not one connection per event), exactly once however often the batch comes back.
// Queries are counted at the local Postgres bridge under an application name only this file uses.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { api } from "@nebula/schema";
import { beforeAll, expect, it } from "vitest";
import { consumeDiscordQueue } from "../../src/discord-queue/consumer.ts";
import { type GatewayEvent, gatewayEventKind } from "../../src/discord-gateway/gateway-events.ts";
import { snowflake } from "../discord/fake-discord.ts";
import { type NowPlayingLab, call, seedNowPlayingLab } from "../now-playing/now-playing-harness.ts";
import { bridgeTraffic, envNamed } from "../support/worker-call.ts";

let lab: NowPlayingLab;
beforeAll(async () => {
  lab = await seedNowPlayingLab("Gateway batch lab");
});

let serial = 0;
const at = new Date().toISOString();
const message = (channelId: string, bot = false): GatewayEvent => ({ kind: "message.created", id: `batch:${Date.now()}:${++serial}`, guildId: lab.guildId, channelId, authorId: snowflake(), bot, at });

async function consume(events: GatewayEvent[], applicationName: string) {
  const enqueuedAt = Date.now();
  const batch = createMessageBatch(
    "nebula-discord",
    events.map((body, i) => ({ id: `g${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body: { kind: gatewayEventKind.kind, id: body.id, body, enqueuedAt } })),
  );
  const ctx = createExecutionContext();
  await consumeDiscordQueue(batch, envNamed(applicationName), ctx);
  return getQueueResult(batch, ctx);
}

async function messagesByChannel(): Promise<Record<string, number>> {
  const res = await call(lab.members.admin, `/api/t/${lab.tenantId}/discord/guilds/${lab.guildId}/analytics?range=7d`);
  expect(res.status).toBe(200);
  return Object.fromEntries(api.GuildAnalytics.parse(await res.json()).messages.channels.map((c) => [c.key, c.total]));
}

it("ten messages in two channels: one connection, one statement, exact counts; a redelivered batch adds nothing", async () => {
  const general = snowflake();
  const memes = snowflake();
  const events = [...Array.from({ length: 6 }, () => message(general)), ...Array.from({ length: 3 }, () => message(memes)), message(general, true)];
  const app = `gw-batch-${crypto.randomUUID().slice(0, 8)}`;

  const first = await consume(events, app);
  expect(first.explicitAcks).toHaveLength(10);
  expect(first.retryMessages).toEqual([]);
  expect(await bridgeTraffic(app)).toEqual({ connections: 1, queries: 1 });
  expect(await messagesByChannel()).toMatchObject({ [general]: 6, [memes]: 3 });

  // At-least-once: the same batch again (and one event of it alone) is acknowledged and counts nothing.
  expect((await consume(events, app)).explicitAcks).toHaveLength(10);
  expect((await consume([events[0] as GatewayEvent], app)).explicitAcks).toHaveLength(1);
  expect(await messagesByChannel()).toMatchObject({ [general]: 6, [memes]: 3 });
});
