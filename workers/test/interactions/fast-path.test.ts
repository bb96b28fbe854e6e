// The interaction hot path and what it leaves behind: /nebula status answered without one Postgres query, its
// command-usage counts written one statement per queue batch, and a replayed signed interaction (same body, same
// id, inside the signature window) answered without running any handler a second time.
// Postgres queries are counted at the local bridge under application names only this file uses.
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { api, discordWire } from "@nebula/schema";
import { beforeAll, describe, expect, it } from "vitest";
import { newApp } from "../../src/app.ts";
import { commandUsageKind, recordCommandUsage } from "../../src/analytics/command-usage.ts";
import { consumeDiscordQueue } from "../../src/discord-queue/consumer.ts";
import { QueueEnvelope } from "../../src/discord-queue/queue-kind.ts";
import type { Env } from "../../src/env.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { ALREADY_HANDLED } from "../../src/interactions/replay-guard.ts";
import { createRegistry, defineCommand, defineComponent } from "../../src/interactions/registry.ts";
import { createInteractionRoutes } from "../../src/interactions/routes.ts";
import worker from "../../src/index.ts";
import { signer } from "../discord/fake-discord.ts";
import { type NowPlayingLab, call, seedNowPlayingLab } from "../now-playing/now-playing-harness.ts";
import { url } from "../support/seed.ts";
import { bridgeTraffic, envNamed } from "../support/worker-call.ts";

type Answer = { type: number; data?: { content?: string; flags?: number; choices?: unknown[] } };
type Signed = Awaited<ReturnType<typeof signer.sign>>;

/** A queue binding that keeps what the Worker sent, so the test delivers it to the consumer itself. */
function recordingQueue() {
  const sent: unknown[] = [];
  const queue = {
    send: async (body: unknown) => void sent.push(body),
    sendBatch: async (messages: { body: unknown }[]) => void sent.push(...messages.map((m) => m.body)),
  } as unknown as Queue;
  return { queue, sent };
}

/** POSTs exactly these signed bytes, as Discord (or someone replaying them) would, and waits for after-response work. */
async function deliver(signed: Signed, fetcher: (req: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>, workerEnv: Env): Promise<Answer> {
  const ctx = createExecutionContext();
  const res = await fetcher(new Request(url("/interactions"), { method: "POST", headers: signed.headers, body: signed.body }), workerEnv, ctx);
  await waitOnExecutionContext(ctx);
  expect(res.status).toBe(200);
  return res.json<Answer>();
}

const viaWorker = (req: Request, e: Env, ctx: ExecutionContext) => worker.fetch(req, e, ctx);

/** Delivers `bodies` as one batch of the `nebula-analytics` queue, where command usage travels. */
async function consume(bodies: unknown[], workerEnv: Env) {
  const batch = createMessageBatch("nebula-analytics", bodies.map((body, i) => ({ id: `m${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })));
  const ctx = createExecutionContext();
  await consumeDiscordQueue(batch, workerEnv, ctx);
  return getQueueResult(batch, ctx);
}

async function commandTotal(lab: NowPlayingLab, name: string): Promise<number> {
  const res = await call(lab.members.admin, `/api/t/${lab.tenantId}/discord/guilds/${lab.guildId}/analytics?range=7d`);
  expect(res.status).toBe(200);
  return api.GuildAnalytics.parse(await res.json()).commands.find((c) => c.key === name)?.total ?? 0;
}

const quiet = createLogger({ test: "fast-path" }, "error");

let lab: NowPlayingLab;
beforeAll(async () => {
  lab = await seedNowPlayingLab("Fast path lab");
});

describe("/nebula status on the hot path", () => {
  it("answers in a linked server without a Postgres connection; usage counts cost one statement per queue batch", async () => {
    const edge = `ix-edge-${crypto.randomUUID().slice(0, 8)}`;
    const { queue, sent } = recordingQueue();
    const edgeEnv = { ...envNamed(edge), ANALYTICS_QUEUE: queue };
    for (let i = 0; i < 6; i++) {
      const answer = await deliver(await signer.sign(signer.slashCommand("nebula", { subcommand: "status", guildId: lab.guildId })), viaWorker, edgeEnv);
      expect(answer).toMatchObject({ type: 4, data: { flags: 64 } });
    }
    // The answer and everything after it (the usage handed to the queue) opened no Postgres connection.
    expect(await bridgeTraffic(edge)).toEqual({ connections: 0, queries: 0 });
    expect(sent.map((m) => QueueEnvelope.parse(m).kind)).toEqual(Array(6).fill(commandUsageKind.kind));

    // The consumer counts the six in one statement, and a redelivery of the batch counts nothing again.
    const consumer = `ix-usage-${crypto.randomUUID().slice(0, 8)}`;
    const first = await consume(sent, envNamed(consumer));
    expect(first.explicitAcks).toHaveLength(6);
    expect(first.retryMessages).toEqual([]);
    expect(await bridgeTraffic(consumer)).toEqual({ connections: 1, queries: 1 });
    expect(await commandTotal(lab, "nebula")).toBe(6);

    const again = await consume(sent, envNamed(consumer));
    expect(again.explicitAcks).toHaveLength(6);
    expect(await bridgeTraffic(consumer)).toEqual({ connections: 2, queries: 2 });
    expect(await commandTotal(lab, "nebula")).toBe(6);
  });

  it("a batch that fails to count is retried whole, then counted once", async () => {
    const { queue, sent } = recordingQueue();
    for (let i = 0; i < 2; i++) {
      const interaction = discordWire.Interaction.parse(signer.slashCommand("nowplaying", { guildId: lab.guildId }));
      await recordCommandUsage({ ANALYTICS_QUEUE: queue }, interaction, quiet);
    }
    // Postgres refuses (a database that does not exist): nothing is acked, both come back.
    const missing = new URL(envNamed().DATABASE_URL ?? "");
    missing.pathname = "/no_such_database";
    const down = await consume(sent, { ...envNamed(), DATABASE_URL: missing.toString() });
    expect(down.explicitAcks).toEqual([]);
    expect(down.retryMessages).toHaveLength(2);
    const up = await consume(sent, envNamed());
    expect(up.explicitAcks).toHaveLength(2);
    expect(await commandTotal(lab, "nowplaying")).toBe(2);
  });
});

describe("a replayed interaction", () => {
  const effects: string[] = [];
  const registry = createRegistry([
    {
      name: "replay",
      commands: [
        defineCommand({
          name: "stamp",
          description: "Records that it ran",
          scope: "guild",
          respond: (ctx) => {
            effects.push(`stamp:${ctx.id}`);
            return ctx.reply({ content: "stamped", ephemeral: true });
          },
          autocomplete: (ctx) => {
            effects.push(`suggest:${ctx.id}`);
            return [{ name: "one", value: "1" }];
          },
          options: [{ type: 3, name: "what", description: "What", autocomplete: true }],
        }),
        defineCommand({ name: "later", description: "Deferred", scope: "guild", ephemeral: true, run: () => ({ content: "done" }) }),
      ],
      components: [
        defineComponent({
          prefix: "replay.press",
          respond: (ctx) => {
            effects.push(`press:${ctx.id}`);
            return ctx.update({ content: "pressed" });
          },
        }),
      ],
    },
  ]);
  const app = newApp();
  app.route("/interactions", createInteractionRoutes(registry));
  const viaApp = (req: Request, e: Env, ctx: ExecutionContext) => app.fetch(req, e, ctx);

  it("runs a fast-path handler once and answers the copy with an ephemeral 'already handled'", async () => {
    const { queue } = recordingQueue();
    const testEnv = { ...envNamed(), DISCORD_QUEUE: queue };
    const signed = await signer.sign(signer.slashCommand("stamp", { guildId: lab.guildId }));
    expect(await deliver(signed, viaApp, testEnv)).toMatchObject({ type: 4, data: { content: "stamped" } });
    expect(await deliver(signed, viaApp, testEnv)).toEqual({ type: 4, data: { content: ALREADY_HANDLED, flags: 64, allowed_mentions: { parse: [] } } });
    expect(effects.filter((e) => e === `stamp:${signed.id}`)).toHaveLength(1);

    // A new interaction of the same command still runs: the guard is per id, not per command.
    const next = await signer.sign(signer.slashCommand("stamp", { guildId: lab.guildId }));
    expect(await deliver(next, viaApp, testEnv)).toMatchObject({ data: { content: "stamped" } });
    expect(effects).toContain(`stamp:${next.id}`);
  });

  it("components and autocomplete are guarded too; autocomplete's copy gets an empty choice list, its only valid answer", async () => {
    const testEnv = { ...envNamed(), DISCORD_QUEUE: recordingQueue().queue };
    const press = await signer.sign(signer.component("replay.press", { guildId: lab.guildId }));
    expect((await deliver(press, viaApp, testEnv)).type).toBe(7);
    expect((await deliver(press, viaApp, testEnv)).data?.content).toBe(ALREADY_HANDLED);
    expect(effects.filter((e) => e === `press:${press.id}`)).toHaveLength(1);

    const suggest = await signer.sign(signer.autocomplete("stamp", { options: [{ name: "what", type: 3, value: "o" }], focused: "what", guildId: lab.guildId }));
    expect(await deliver(suggest, viaApp, testEnv)).toEqual({ type: 8, data: { choices: [{ name: "one", value: "1" }] } });
    expect(await deliver(suggest, viaApp, testEnv)).toEqual({ type: 8, data: { choices: [] } });
    expect(effects.filter((e) => e === `suggest:${suggest.id}`)).toHaveLength(1);
  });

  it("a deferred command is enqueued once, and the Worker counts the usage of a replayed /nebula status once", async () => {
    const deferred = recordingQueue();
    const usage = recordingQueue();
    const testEnv = { ...envNamed(), DISCORD_QUEUE: deferred.queue, ANALYTICS_QUEUE: usage.queue };
    const later = await signer.sign(signer.slashCommand("later", { guildId: lab.guildId }));
    expect((await deliver(later, viaApp, testEnv)).type).toBe(5);
    expect((await deliver(later, viaApp, testEnv)).data?.content).toBe(ALREADY_HANDLED);
    expect(deferred.sent.map((m) => QueueEnvelope.parse(m).kind)).toEqual(["interaction.run"]);

    const status = await signer.sign(signer.slashCommand("nebula", { subcommand: "status", guildId: lab.guildId }));
    expect((await deliver(status, viaWorker, testEnv)).data?.content).toBeUndefined();
    expect((await deliver(status, viaWorker, testEnv)).data?.content).toBe(ALREADY_HANDLED);
    expect(usage.sent.map((m) => QueueEnvelope.parse(m).id)).toEqual([`cmd:${status.id}`]);
    expect(deferred.sent).toHaveLength(1);
  });

  it("a PING is answered every time (no handler, nothing to repeat)", async () => {
    const ping = await signer.sign(signer.ping());
    for (let i = 0; i < 2; i++) expect(await deliver(ping, viaApp, envNamed())).toEqual({ type: 1 });
  });
});
