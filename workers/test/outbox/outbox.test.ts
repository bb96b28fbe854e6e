// The outbox against the fake Discord (test/fakes/discord.ts) misbehaving on purpose: seeded 429s (route and global),
// 500s before and after storing, hanging connections, and refusals. Time is the test's: the outbox's clock and the
// fake's clock move together to each alarm's time, so retry_after, bucket resets and backoff cost no real waiting.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env as bindings } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { alertOutboxItem } from "../../src/alerts/alert-message.ts";
import { step, initialState } from "../../src/alerts/engine.ts";
import { AlertRule } from "../../src/alerts/rules.ts";
import type { Env } from "../../src/env.ts";
import { type Outbox, nonceOf } from "../../src/outbox/outbox.ts";
import type { OutboxItem } from "../../src/outbox/outbox-item.ts";
import { control, discordSide, drain, openOutbox, snowflake } from "./outbox-harness.ts";

const env = bindings as Env;

const channelItem = (channelId: string, i: number): OutboxItem => ({
  id: `note:${channelId}:${i}`,
  destination: { kind: "channel", channelId },
  message: { content: `message ${i}` },
});

const FLAKY = { seed: 42, rate429: 0.1, rateGlobal429: 0.05, rate500: 0.1, rate500AfterStore: 0.05, retryAfter: 0.05, bucketLimit: 5, bucketResetAfter: 1 };

describe("Outbox delivery", () => {
  it("delivers 100 notifications through a flaky Discord exactly once each, in order per channel", async () => {
    const channels = [snowflake(), snowflake()];
    const keys = channels.map((c) => `channel:${c}`);
    for (const key of keys) await control("/__control/bot", { key, ...FLAKY });
    const outbox = await openOutbox();
    const items = Array.from({ length: 100 }, (_, i) => channelItem(channels[i % 2] ?? "", i));

    expect(await outbox.stub.enqueueAll(items.slice(0, 60))).toEqual({ stored: 60, duplicates: 0 });
    // Part-way through, the rest arrive, along with repeats of ones already sent or still queued.
    for (let i = 0; i < 5; i++) {
      await runInDurableObject(outbox.stub, async (_o: Outbox, state) => {
        const at = await state.storage.getAlarm();
        if (at !== null) outbox.clock.now = Math.max(outbox.clock.now, at);
      });
      for (const key of keys) await control("/__control/bot/clock", { key, now: outbox.clock.now });
      await runDurableObjectAlarm(outbox.stub);
    }
    expect(await outbox.stub.enqueueAll([...items.slice(60), ...items.slice(0, 20)])).toEqual({ stored: 40, duplicates: 20 });
    expect(await outbox.stub.enqueue(items[99] as OutboxItem)).toEqual({ stored: 0, duplicates: 1 });

    await drain(outbox, keys);

    let faults = 0;
    let nonceHits = 0;
    for (const [c, channel] of channels.entries()) {
      const { messages, stats } = await discordSide(keys[c] ?? "");
      const expected = items.filter((_, i) => i % 2 === c);
      expect(messages.map((m) => m.content)).toEqual(expected.map((i) => i.message.content));
      expect(new Set(messages.map((m) => m.nonce)).size).toBe(50);
      expect(messages.map((m) => m.nonce)).toEqual(await Promise.all(expected.map((i) => nonceOf(i.id))));
      // Never sent while Discord had said to wait (empty bucket, retry_after, global limit).
      expect(stats.violations).toBe(0);
      expect(stats.enforced429).toBe(0);
      faults += stats.injected429 + stats.injected500;
      nonceHits += stats.nonceHits;
      expect(channel).toBeTruthy();
    }
    expect(faults).toBeGreaterThan(20);
    // Some 500s came after Discord stored the message: the retry's nonce returned that message, not a second one.
    expect(nonceHits).toBeGreaterThan(0);
    expect(await outbox.stub.status()).toMatchObject({ pending: 0, delivered: 100, failed: 0, nextAttemptAt: null });
  });

  it("retries a send whose connection hangs, and Discord keeps one copy", async () => {
    const channel = snowflake();
    const key = `channel:${channel}`;
    await control("/__control/bot", { key, hang: [1] });
    const outbox = await openOutbox({ timeoutMs: 200 });
    await outbox.stub.enqueueAll([channelItem(channel, 1), channelItem(channel, 2)]);

    await drain(outbox, [key]);

    const { messages, stats } = await discordSide(key);
    expect(stats.hung).toBe(1);
    expect(messages.map((m) => m.content)).toEqual(["message 1", "message 2"]);
    const attempts = await runInDurableObject(outbox.stub, (_o: Outbox, state) =>
      state.storage.sql.exec<{ attempts: number }>("SELECT attempts FROM messages ORDER BY seq").toArray().map((r) => r.attempts),
    );
    expect(attempts).toEqual([2, 1]);
  });

  it("posts to a webhook in order through 429s and 500s", async () => {
    const webhookId = snowflake();
    const key = `webhook:${webhookId}`;
    await control("/__control/bot", { key, seed: 7, rate429: 0.15, rateGlobal429: 0.05, rate500: 0.15 });
    // A webhook create carries no idempotency key, so one that times out after Discord stored it is sent again (the
    // documented limit): this story is about 429s and 500s, so a loaded machine's slow answer must not time out.
    const outbox = await openOutbox({ timeoutMs: 10_000 });
    const url = `${env.DISCORD_API_BASE}/webhooks/${webhookId}/wh-token-abcdefghijklmnopqrstuvwxyz`;
    const items = Array.from({ length: 20 }, (_, i): OutboxItem => ({ id: `hook:${webhookId}:${i}`, destination: { kind: "webhook", url }, message: { content: `hook ${i}` } }));
    await outbox.stub.enqueueAll(items);

    await drain(outbox, [key]);

    const { messages, stats } = await discordSide(key);
    expect(messages.map((m) => m.content)).toEqual(items.map((i) => i.message.content));
    expect(stats.injected429 + stats.injected500).toBeGreaterThan(0);
    expect(stats.violations).toBe(0);
  });

  it("stops sending before Discord's invalid-request ban", async () => {
    const channel = snowflake();
    const key = `channel:${channel}`;
    await control("/__control/bot", { key, status: 403 });
    const outbox = await openOutbox({ invalidRequestBudget: 3 });
    await outbox.stub.enqueueAll(Array.from({ length: 6 }, (_, i) => channelItem(channel, i)));

    await runDurableObjectAlarm(outbox.stub);

    expect((await discordSide(key)).stats.calls).toBe(3);
    const status = await outbox.stub.status();
    expect(status).toMatchObject({ pending: 3, failed: 3, delivered: 0, invalidRequests: 3 });
    // Nothing more until the oldest refusals age out of Discord's 10-minute window.
    expect(status.nextAttemptAt).toBeGreaterThanOrEqual(outbox.clock.now + 10 * 60_000);
    await runDurableObjectAlarm(outbox.stub);
    expect((await discordSide(key)).stats.calls).toBe(3);
  });

  it("keeps messages while the bot token is refused, instead of dropping them", async () => {
    const channel = snowflake();
    const key = `channel:${channel}`;
    await control("/__control/bot", { key, status: 401 });
    const outbox = await openOutbox();
    await outbox.stub.enqueueAll([channelItem(channel, 1), channelItem(channel, 2)]);

    await runDurableObjectAlarm(outbox.stub);

    expect((await discordSide(key)).stats.calls).toBe(1);
    expect(await outbox.stub.status()).toMatchObject({ pending: 2, failed: 0 });
  });

  it("gives up on a message Discord refuses outright (unknown channel) and goes on with the next", async () => {
    const channel = snowflake();
    const key = `channel:${channel}`;
    await control("/__control/bot", { key, status: 404 });
    const outbox = await openOutbox();
    await outbox.stub.enqueueAll([channelItem(channel, 0), channelItem(channel, 1), channelItem(channel, 2)]);

    await runDurableObjectAlarm(outbox.stub);

    expect((await discordSide(key)).stats.calls).toBe(3);
    expect(await outbox.stub.status()).toMatchObject({ pending: 0, failed: 3, nextAttemptAt: null });
  });

  it("renders alert notifications from the engine as embeds, and an alert re-evaluated is not sent twice", async () => {
    const channel = snowflake();
    const key = `channel:${channel}`;
    await control("/__control/bot", { key });
    const outbox = await openOutbox();
    const rule = AlertRule.parse({ id: "disk-full", name: "NAS almost full", metric: "disk./mnt/nas.used_pct", comparison: ">", threshold: 90, severity: "critical", destination: { kind: "channel", channelId: channel } });
    const host = { id: "agt_box", name: "nebula-box" };
    const t0 = Date.UTC(2026, 0, 5, 12);
    const fired = step(initialState(), { host, samples: [{ at: t0, values: { "disk./mnt/nas.used_pct": 97 } }], now: t0, intervalSeconds: 10 }, [rule]);
    const cleared = step(fired.state, { host, samples: [{ at: t0 + 60_000, values: { "disk./mnt/nas.used_pct": 50 } }], now: t0 + 60_000, intervalSeconds: 10 }, [rule]);
    // The hub restarted and evaluated the same sample again: same notification ids.
    const again = step(initialState(), { host, samples: [{ at: t0, values: { "disk./mnt/nas.used_pct": 97 } }], now: t0, intervalSeconds: 10 }, [rule]);

    await outbox.stub.enqueueAll([...fired.notifications, ...cleared.notifications, ...again.notifications].map(alertOutboxItem));
    await drain(outbox, [key]);

    const { messages } = await discordSide(key);
    expect(messages.map((m) => m.embeds[0]?.title)).toEqual(["Firing: NAS almost full", "Resolved: NAS almost full"]);
    expect(messages.map((m) => m.embeds[0]?.color)).toEqual([0xe74c3c, 0x2ecc71]);
  });
});
