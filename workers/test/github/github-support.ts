// Shared arrangement for the GitHub suites: feeds made through the API and deliveries signed by the fake GitHub sender
// (test/fakes/github-sender.ts). The lab's server, channels, held Outbox and what Discord received come from
// ../support/lab-discord.ts.
import { env as bindings, exports } from "cloudflare:workers";
import { api } from "@nebula/schema";
import { expect } from "vitest";
import { type Delivery, deliveryInit, signedDelivery } from "../../../test/fakes/github-sender.ts";
import type { Env } from "../../src/env.ts";
import { type SeededMember, type SeededTenant, asUser, url } from "../support/seed.ts";

export { type ReceivedEmbed, discordMessages, discordTitles, freshDiscordKey, guildChannel, guildOf, holdOutbox } from "../support/lab-discord.ts";

export const env = bindings as Env;

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

export async function deliveriesOf(lab: SeededTenant, feedId: string): Promise<api.GithubDelivery[]> {
  const res = await call(lab.members.viewer, `/api/t/${lab.tenantId}/github/feeds/${feedId}/deliveries`);
  expect(res.status).toBe(200);
  return api.GithubDeliveryList.parse(await res.json()).items;
}

export const discordWebhookUrl = (id: string, token: string) => `${env.DISCORD_API_BASE}/webhooks/${id}/${token}`;
