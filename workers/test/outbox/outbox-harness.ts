// Driving a tenant's outbox against the fake Discord on a virtual clock: the outbox's clock and the fake's per-key
// clocks move together to each alarm's time, so retry_after, bucket resets and backoff cost no real waiting.
// Shared by the outbox suites and the go-live suites.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env as bindings } from "cloudflare:workers";
import { expect } from "vitest";
import type { Env } from "../../src/env.ts";
import { type DiscordLimits, getDiscordLimits } from "../../src/discord-rest/discord-limits.ts";
import { type Outbox, getOutboxByName } from "../../src/outbox/outbox.ts";
import type { BotStats as Stats, StoredMessage } from "../../../test/fakes/discord-types.ts";

const env = bindings as Env;
export const DISCORD_ORIGIN = (env.DISCORD_API_BASE ?? "").replace(/\/api\/v10$/, "");

export type Stored = Omit<StoredMessage, "embeds"> & {
  embeds: { title?: string; color?: number; url?: string; description?: string; fields?: { name: string; value: string }[]; thumbnail?: { url: string }; image?: { url: string }; author?: { name: string }; footer?: { text: string } }[];
};

let serial = 0;
/** A fresh snowflake per call, so suites sharing the fake never see each other's channels. */
export const snowflake = () => `${Date.now()}${String(++serial).padStart(4, "0")}`;

export async function control(path: string, body: unknown): Promise<void> {
  const res = await fetch(`${DISCORD_ORIGIN}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

export async function discordSide(key: string): Promise<{ messages: Stored[]; stats: Stats }> {
  const res = await fetch(`${DISCORD_ORIGIN}/__control/bot?key=${encodeURIComponent(key)}`);
  return (await res.json()) as { messages: Stored[]; stats: Stats };
}

export interface VirtualOutbox {
  stub: DurableObjectStub<Outbox>;
  clock: { now: number };
}

/**
 * A tenant's outbox on a clock the test moves; it starts a day ahead, so workerd never runs the alarm on its own.
 * It shares the bot's limits through a DiscordLimits of its own on the same clock, so suites never share a budget.
 */
export async function openOutbox(tuning: Partial<Parameters<Outbox["tune"]>[0]> = {}, name = `tnt_${snowflake()}`): Promise<VirtualOutbox> {
  const stub = getOutboxByName(env.OUTBOX, name);
  const clock = { now: Date.now() + 24 * 3600_000 };
  const discordLimits = `limits-${name}`;
  await runInDurableObject(getDiscordLimits(env.DISCORD_LIMITS, discordLimits), (limits: DiscordLimits) => limits.tune({ now: () => clock.now }));
  await runInDurableObject(stub, (outbox: Outbox) => outbox.tune({ now: () => clock.now, timeoutMs: 300, discordLimits, ...tuning }));
  return { stub, clock };
}

/** Runs the alarm at its scheduled (virtual) time, moving the fake's clocks along, until nothing is scheduled. */
export async function drain(outbox: VirtualOutbox, keys: string[], maxRuns = 5000): Promise<number> {
  for (let runs = 0; runs < maxRuns; runs++) {
    const at = await runInDurableObject(outbox.stub, (_o: Outbox, state) => state.storage.getAlarm());
    if (at === null) return runs;
    outbox.clock.now = Math.max(outbox.clock.now, at);
    for (const key of keys) await control("/__control/bot/clock", { key, now: outbox.clock.now });
    await runDurableObjectAlarm(outbox.stub);
  }
  throw new Error("the outbox never emptied");
}

/** One alarm run at its scheduled time (for tests that look between runs). */
export async function runOnce(outbox: VirtualOutbox, keys: string[]): Promise<void> {
  const at = await runInDurableObject(outbox.stub, (_o: Outbox, state) => state.storage.getAlarm());
  if (at !== null) outbox.clock.now = Math.max(outbox.clock.now, at);
  for (const key of keys) await control("/__control/bot/clock", { key, now: outbox.clock.now });
  await runDurableObjectAlarm(outbox.stub);
}
