// Outbox edits (`edit.of`): a later item PATCHes the message an earlier one created, in the same destination order,
// as go-live notices are edited when the stream ends. Against the fake Discord, on the test's virtual clock.
import { env as bindings } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env.ts";
import type { OutboxItem } from "../../src/outbox/outbox-item.ts";
import { control, discordSide, drain, openOutbox, runOnce, snowflake } from "./outbox-harness.ts";

const env = bindings as Env;

const live = (channelId: string, role: string): OutboxItem => ({
  id: `live:${channelId}`,
  destination: { kind: "channel", channelId },
  message: { content: `<@&${role}> Nova is live`, embeds: [{ title: "Speedrun", thumbnail: { url: "https://static-cdn.jtvnw.net/t.jpg" }, author: { name: "Nova" } }], allowed_mentions: { parse: [], roles: [role] } },
});
const ended = (channelId: string): OutboxItem => ({
  id: `ended:${channelId}`,
  destination: { kind: "channel", channelId },
  edit: { of: `live:${channelId}` },
  message: { content: "Nova was live", embeds: [{ title: "Speedrun (ended after 2h 5m)", url: "https://www.twitch.tv/videos/1" }] },
});

describe("Outbox edits", () => {
  it("edits the message its create posted, once, keeping the role ping of the create", async () => {
    const channel = snowflake();
    const key = `channel:${channel}`;
    await control("/__control/bot", { key });
    const outbox = await openOutbox();

    await outbox.stub.enqueue(live(channel, "555000111"));
    await drain(outbox, [key]);
    await outbox.stub.enqueue(ended(channel));
    expect(await outbox.stub.enqueue(ended(channel))).toEqual({ stored: 0, duplicates: 1 });
    await drain(outbox, [key]);

    const { messages, stats } = await discordSide(key);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ content: "Nova was live", edits: 1, allowedMentions: { parse: [], roles: ["555000111"] } });
    expect(messages[0]?.embeds[0]).toMatchObject({ title: "Speedrun (ended after 2h 5m)", url: "https://www.twitch.tv/videos/1" });
    expect(stats.edits).toBe(1);
    const created = await outbox.stub.itemStatus(`live:${channel}`);
    expect(await outbox.stub.itemStatus(`ended:${channel}`)).toMatchObject({ status: "delivered", messageId: created?.messageId });
  });

  it("holds an edit back while its create is still being retried", async () => {
    const channel = snowflake();
    const key = `channel:${channel}`;
    // The first call hangs, the second is answered 500 after Discord stored the message.
    await control("/__control/bot", { key, hang: [1], seed: 3 });
    const outbox = await openOutbox({ timeoutMs: 200 });
    await outbox.stub.enqueueAll([live(channel, "555000112"), ended(channel)]);

    await runOnce(outbox, [key]);
    expect(await outbox.stub.itemStatus(`live:${channel}`)).toMatchObject({ status: "pending", lastError: "timeout" });
    expect((await discordSide(key)).stats).toMatchObject({ calls: 1, edits: 0 });

    await drain(outbox, [key]);

    const { messages, stats } = await discordSide(key);
    expect(messages.map((m) => [m.content, m.edits])).toEqual([["Nova was live", 1]]);
    expect(stats.hung).toBe(1);
    expect(await outbox.stub.status()).toMatchObject({ pending: 0, delivered: 2, failed: 0 });
  });

  it("drops the edit of a create Discord refused, without calling Discord for it", async () => {
    const channel = snowflake();
    const key = `channel:${channel}`;
    await control("/__control/bot", { key, status: 403 });
    const outbox = await openOutbox();
    await outbox.stub.enqueueAll([live(channel, "555000113"), ended(channel)]);

    await drain(outbox, [key]);

    expect((await discordSide(key)).stats.calls).toBe(1);
    expect(await outbox.stub.itemStatus(`ended:${channel}`)).toMatchObject({ status: "failed", lastError: "the message it edits was never created" });
  });

  it("edits webhook messages through the webhook's own edit route", async () => {
    const webhookId = snowflake();
    const key = `webhook:${webhookId}`;
    await control("/__control/bot", { key, seed: 11, rate429: 0.3, rate500: 0.3 });
    const outbox = await openOutbox();
    const url = `${env.DISCORD_API_BASE}/webhooks/${webhookId}/wh-token-abcdefghijklmnopqrstuvwxyz`;
    await outbox.stub.enqueueAll([
      { id: `wh-live:${webhookId}`, destination: { kind: "webhook", url }, message: { content: "live" } },
      { id: `wh-ended:${webhookId}`, destination: { kind: "webhook", url }, edit: { of: `wh-live:${webhookId}` }, message: { content: "ended" } },
    ]);

    await drain(outbox, [key]);

    const { messages } = await discordSide(key);
    expect(messages.map((m) => [m.content, m.edits])).toEqual([["ended", 1]]);
  });

  it("refuses an edit of something it never held, or aimed at another destination", async () => {
    const channel = snowflake();
    const outbox = await openOutbox();
    // Awaited inside try/catch: an RPC rejection handed to expect().rejects is also reported as unhandled.
    const refusal = async (item: OutboxItem) => {
      try {
        await outbox.stub.enqueue(item);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(await refusal(ended(channel))).toMatch(/does not hold/);
    await outbox.stub.enqueue(live(channel, "555000114"));
    expect(await refusal({ ...ended(channel), destination: { kind: "channel", channelId: snowflake() } })).toMatch(/same destination/);
  });
});
