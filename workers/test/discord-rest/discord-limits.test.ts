// Discord counts its global limit and its invalid-request ban per bot, not per isolate. Two DiscordRest clients
// (two isolates) share one DiscordLimits and talk to the fake Discord: together they stay within 50 sends a second,
// a global 429 one of them meets holds the other, and invalid requests one of them makes close the other's guard.
// The clients, DiscordLimits and the fake's channels all run on one clock the test moves.
import { runInDurableObject } from "cloudflare:test";
import { env as bindings } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type DiscordLimits, getDiscordLimits } from "../../src/discord-rest/discord-limits.ts";
import { type DiscordResult, DiscordRest } from "../../src/discord-rest/discord-rest.ts";
import { GLOBAL_PER_SECOND } from "../../src/discord-rest/global-rate-limit.ts";
import { InvalidRequestGuard } from "../../src/discord-rest/invalid-request-guard.ts";
import { sharedLimitsOf } from "../../src/discord-rest/shared-limits.ts";
import type { Env } from "../../src/env.ts";
import { control, discordSide, snowflake } from "../outbox/outbox-harness.ts";

const env = bindings as Env;

/** A bot's DiscordLimits of its own (so suites never share a budget) on a clock the test moves. */
async function sharedBot(): Promise<{ clock: { now: number }; isolate: (budget?: number) => DiscordRest }> {
  const start = Date.now() + 24 * 3600_000;
  const clock = { now: start - (start % 1000) + 100 };
  const name = `limits-test-${snowflake()}`;
  await runInDurableObject(getDiscordLimits(env.DISCORD_LIMITS, name), (limits: DiscordLimits) => limits.tune({ now: () => clock.now }));
  const isolate = (budget?: number) =>
    new DiscordRest({
      baseUrl: env.DISCORD_API_BASE ?? "",
      botToken: env.DISCORD_BOT_TOKEN ?? "",
      now: () => clock.now,
      ...(budget === undefined ? {} : { guard: new InvalidRequestGuard(budget) }),
      ...sharedLimitsOf(env.DISCORD_LIMITS, env.DISCORD_BOT_TOKEN, { name }),
    });
  return { clock, isolate };
}

async function channelOn(clock: { now: number }, scenario: Record<string, unknown> = {}): Promise<{ channel: string; key: string }> {
  const channel = snowflake();
  const key = `channel:${channel}`;
  await control("/__control/bot", { key, bucketLimit: 500, ...scenario });
  await control("/__control/bot/clock", { key, now: clock.now });
  return { channel, key };
}

const post = (channel: string, n: number) => ({ method: "POST" as const, path: `/channels/${channel}/messages`, auth: "bot" as const, body: { content: `message ${n}` } });

async function sendAll(rest: DiscordRest, channel: string, numbers: number[]): Promise<{ n: number; result: DiscordResult }[]> {
  const out: { n: number; result: DiscordResult }[] = [];
  for (const n of numbers) out.push({ n, result: await rest.send(post(channel, n)) });
  return out;
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe("DiscordLimits shared by two isolates", () => {
  it("lets both isolates together send no more than 50 messages a second", async () => {
    const { clock, isolate } = await sharedBot();
    const { channel, key } = await channelOn(clock);
    const [a, b] = [isolate(), isolate()];

    const first = (await Promise.all([sendAll(a, channel, range(0, 40)), sendAll(b, channel, range(100, 40))])).flat();

    const sent = first.filter((s) => s.result.kind === "ok");
    expect(sent).toHaveLength(GLOBAL_PER_SECOND);
    expect(sent.some((s) => s.n < 100) && sent.some((s) => s.n >= 100)).toBe(true);
    expect((await discordSide(key)).stats.calls).toBe(GLOBAL_PER_SECOND);
    const held = first.filter((s) => s.result.kind !== "ok");
    expect(held.map((s) => s.result)).toEqual(held.map(() => ({ kind: "retry", at: clock.now + 900, reason: "global", maybeSent: false })));

    // The next second: the 30 held back go out, and nothing more was ever sent.
    clock.now += 900;
    await control("/__control/bot/clock", { key, now: clock.now });
    const heldFromA = held.filter((s) => s.n < 100).map((s) => s.n);
    const heldFromB = held.filter((s) => s.n >= 100).map((s) => s.n);
    const second = (await Promise.all([sendAll(a, channel, heldFromA), sendAll(b, channel, heldFromB)])).flat();
    expect(second.every((s) => s.result.kind === "ok")).toBe(true);
    const { messages, stats } = await discordSide(key);
    expect(stats.calls).toBe(80);
    expect(new Set(messages.map((m) => m.content)).size).toBe(80);
  });

  it("holds every isolate after one meets a global 429, while webhooks still go out", async () => {
    const { clock, isolate } = await sharedBot();
    const limited = await channelOn(clock, { rateGlobal429: 1, retryAfter: 5 });
    const other = await channelOn(clock);
    const [a, b] = [isolate(), isolate()];

    expect(await a.send(post(limited.channel, 1))).toMatchObject({ kind: "retry", reason: "global", status: 429 });
    await a.flush();

    expect(await b.send(post(other.channel, 2))).toEqual({ kind: "retry", at: clock.now + 5000, reason: "global", maybeSent: false });
    expect((await discordSide(other.key)).stats.calls).toBe(0);

    // Webhooks (and interaction follow-ups, which are webhooks) are outside the bot's global limit.
    const webhook = snowflake();
    await control("/__control/bot", { key: `webhook:${webhook}` });
    const hook = await b.send({ method: "POST", path: `/webhooks/${webhook}/hook-token-${webhook}`, auth: "none", body: { content: "still delivered" } });
    expect(hook).toMatchObject({ kind: "ok" });

    clock.now += 5000;
    await control("/__control/bot/clock", { key: other.key, now: clock.now });
    expect(await b.send(post(other.channel, 3))).toMatchObject({ kind: "ok" });
  });

  it("stops the other isolate once the bot's invalid requests reach the budget", async () => {
    const { clock, isolate } = await sharedBot();
    const refused = await channelOn(clock, { status: 403 });
    const fine = await channelOn(clock);
    const [a, b] = [isolate(4), isolate(4)];

    expect(await b.send(post(fine.channel, 0))).toMatchObject({ kind: "ok" });
    const results = await sendAll(a, refused.channel, range(1, 4));
    expect(results.map((s) => s.result.kind)).toEqual(["rejected", "rejected", "rejected", "rejected"]);
    await a.flush();

    const blocked = await b.send(post(fine.channel, 5));
    expect(blocked).toMatchObject({ kind: "retry", reason: "guard", maybeSent: false });
    expect(blocked.kind === "retry" && blocked.at).toBeGreaterThanOrEqual(clock.now + 10 * 60_000);
    expect((await discordSide(fine.key)).stats.calls).toBe(1);
    expect(b.guard.count(clock.now)).toBe(4);
  });
});
