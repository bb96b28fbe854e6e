// Shared arrangement for the GitHub suites: feeds made through the API, deliveries signed by the fake GitHub sender
// (test/fakes/github-sender.ts), the tenant's Outbox held so the test decides when it delivers, and what the fake
// Discord received.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env as bindings, exports } from "cloudflare:workers";
import { api } from "@nebula/schema";
import { expect } from "vitest";
import { type Delivery, deliveryInit, signedDelivery } from "../../../test/fakes/github-sender.ts";
import type { Env } from "../../src/env.ts";
import { type Outbox, getOutboxByName } from "../../src/outbox/outbox.ts";
import { type SeededMember, type SeededTenant, asUser, url } from "../support/seed.ts";

export const env = bindings as Env;
const DISCORD_ORIGIN = (env.DISCORD_API_BASE ?? "").replace(/\/api\/v10$/, "");

let serial = 0;
/** A fresh snowflake per test, so suites sharing the fake Discord never see each other's channels. */
export const snowflake = () => `${Date.now()}${String(++serial).padStart(4, "0")}`;

export function call(member: SeededMember, path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(url(path), asUser(member, init));
}

export async function createFeed(lab: SeededTenant, body: Record<string, unknown>, member: SeededMember = lab.members.admin): Promise<api.GithubFeedWithSecret> {
  const res = await call(member, `/api/t/${lab.tenantId}/github/feeds`, { method: "POST", body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(201);
  return api.GithubFeedWithSecret.parse(await res.json());
}

export const hookPath = (feed: api.GithubFeedView) => new URL(feed.hookUrl).pathname;

/** Signs a payload with the feed's secret and posts it to the feed's hook, as GitHub does. */
export async function send(
  feed: api.GithubFeedView,
  secret: string,
  event: string,
  payload: unknown,
  options: { deliveryId?: string } = {},
): Promise<{ res: Response; delivery: Delivery }> {
  const delivery = await signedDelivery(event, payload, { secret, ...options });
  return { res: await postDelivery(feed, delivery), delivery };
}

export function postDelivery(feed: api.GithubFeedView, delivery: Delivery, overrides: Parameters<typeof deliveryInit>[1] = {}): Promise<Response> {
  return exports.default.fetch(url(hookPath(feed)), deliveryInit(delivery, overrides));
}

/**
 * The tenant's outbox on a clock a day ahead, so workerd never runs its alarm on its own: the test delivers by
 * running the alarm, and then knows everything enqueued so far has reached the fake Discord.
 */
export async function holdOutbox(tenantId: string): Promise<() => Promise<void>> {
  const stub = getOutboxByName(env.OUTBOX, tenantId);
  await runInDurableObject(stub, (outbox: Outbox) => outbox.tune({ now: () => Date.now() + 24 * 3600_000 }));
  return async () => {
    for (let runs = 0; runs < 20 && (await runDurableObjectAlarm(stub)); runs++);
  };
}

export interface ReceivedEmbed {
  title?: string;
  description?: string;
  url?: string;
  color?: number;
  fields?: { name: string; value: string }[];
}

/** What the fake Discord stored for a channel or webhook, in order. */
export async function discordMessages(key: string): Promise<{ embeds: ReceivedEmbed[]; allowedMentions?: unknown }[]> {
  const res = await fetch(`${DISCORD_ORIGIN}/__control/bot?key=${encodeURIComponent(key)}`);
  return ((await res.json()) as { messages: { embeds: ReceivedEmbed[] }[] }).messages;
}

export async function discordTitles(key: string): Promise<string[]> {
  return (await discordMessages(key)).map((m) => m.embeds[0]?.title ?? "");
}

export async function freshDiscordKey(key: string): Promise<void> {
  const res = await fetch(`${DISCORD_ORIGIN}/__control/bot`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key }) });
  expect(res.status).toBe(200);
}

export async function deliveriesOf(lab: SeededTenant, feedId: string): Promise<api.GithubDelivery[]> {
  const res = await call(lab.members.viewer, `/api/t/${lab.tenantId}/github/feeds/${feedId}/deliveries`);
  expect(res.status).toBe(200);
  return api.GithubDeliveryList.parse(await res.json()).items;
}

export const discordWebhookUrl = (id: string, token: string) => `${env.DISCORD_API_BASE}/webhooks/${id}/${token}`;
