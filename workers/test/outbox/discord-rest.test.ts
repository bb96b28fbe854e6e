// The Discord REST client's waiting mode (`request`), as interactive callers use it, against the fake Discord.
import { env as bindings } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DiscordRest } from "../../src/discord-rest/discord-rest.ts";
import type { Env } from "../../src/env.ts";
import { AppError } from "../../src/errors/app-error.ts";

const env = bindings as Env;
const ORIGIN = (env.DISCORD_API_BASE ?? "").replace(/\/api\/v10$/, "");
let serial = 0;
const snowflake = () => `${Date.now()}${String(++serial).padStart(4, "0")}`;

async function scenario(key: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${ORIGIN}/__control/bot`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key, ...body }) });
  expect(res.status).toBe(200);
}

const client = () => new DiscordRest({ baseUrl: env.DISCORD_API_BASE ?? "", botToken: env.DISCORD_BOT_TOKEN ?? "", timeoutMs: 200, backoffBaseMs: 1 });
const create = (channel: string, nonce?: string) => ({
  method: "POST" as const,
  path: `/channels/${channel}/messages`,
  auth: "bot" as const,
  body: { content: "hello", ...(nonce ? { nonce, enforce_nonce: true } : {}) },
  idempotent: !!nonce,
});

describe("DiscordRest.request", () => {
  it("retries an idempotent create after a hung connection and gets the message", async () => {
    const channel = snowflake();
    await scenario(`channel:${channel}`, { hang: [1] });
    const message = await client().request<{ id: string; content: string }>(create(channel, "nonce-hang-1"));
    expect(message.content).toBe("hello");
  });

  it("does not repeat a create without a nonce after an ambiguous failure", async () => {
    const channel = snowflake();
    await scenario(`channel:${channel}`, { hang: [1] });
    await expect(client().request(create(channel))).rejects.toMatchObject({ code: "UPSTREAM" });
    const side = (await (await fetch(`${ORIGIN}/__control/bot?key=channel:${channel}`)).json()) as { stats: { calls: number } };
    expect(side.stats.calls).toBe(1);
  });

  it("turns a refusal into an UPSTREAM error without the token in it", async () => {
    const channel = snowflake();
    await scenario(`channel:${channel}`, { status: 403 });
    const err = await client().request(create(channel, "nonce-403")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(String((err as AppError).message)).toContain("Missing Access");
    expect(JSON.stringify(err)).not.toContain(env.DISCORD_BOT_TOKEN ?? "never");
  });

  it("refuses bot requests when no bot token is configured", async () => {
    const noBot = new DiscordRest({ baseUrl: env.DISCORD_API_BASE ?? "" });
    expect(await noBot.send(create(snowflake(), "n"))).toMatchObject({ kind: "retry", reason: "not_configured", maybeSent: false });
  });
});
