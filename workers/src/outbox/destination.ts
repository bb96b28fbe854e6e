// Where an outbox message goes, and the Discord request that takes it there. Webhook URLs are accepted only in
// Discord's own form (or under DISCORD_API_BASE, for local fakes); their token never reaches a log.
import type { Destination } from "../alerts/rules.ts";
import type { DiscordMessage, DiscordRequest } from "../discord-rest/discord-rest.ts";
import { AppError } from "../errors/app-error.ts";

export type DeliveryTarget = { kind: "channel"; channelId: string } | { kind: "webhook"; webhookId: string; token: string };

const DISCORD_WEBHOOK = /^https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api(?:\/v\d+)?\/webhooks\/(\d{5,25})\/([A-Za-z0-9_-]{20,100})\/?$/;
const ID_AND_TOKEN = /^\/webhooks\/(\d{5,25})\/([A-Za-z0-9_-]{20,100})\/?$/;

/** Parses a destination; a webhook URL that is not Discord's is refused (no requests to arbitrary hosts). */
export function targetOf(destination: Destination, apiBase: string): DeliveryTarget {
  if (destination.kind === "channel") return { kind: "channel", channelId: destination.channelId };
  const url = destination.url;
  let m = DISCORD_WEBHOOK.exec(url);
  const base = apiBase.replace(/\/$/, "");
  if (!m && url.startsWith(`${base}/`)) m = ID_AND_TOKEN.exec(url.slice(base.length));
  if (!m?.[1] || !m[2]) throw new AppError("BAD_REQUEST", "Webhook URL must look like https://discord.com/api/webhooks/<id>/<token>");
  return { kind: "webhook", webhookId: m[1], token: m[2] };
}

/** Messages to one key are delivered in order; the key holds no secret, so it may be logged. */
export function targetKey(target: DeliveryTarget): string {
  return target.kind === "channel" ? `channel:${target.channelId}` : `webhook:${target.webhookId}`;
}

/**
 * Channel messages carry Discord's `nonce` with `enforce_nonce`, so a create retried after a timeout or 5xx
 * returns the first message instead of posting a second. Execute Webhook has no nonce: a webhook send that failed
 * ambiguously (5xx after Discord stored it, timeout) can show twice; 429s and refused sends cannot.
 */
export function requestFor(target: DeliveryTarget, message: DiscordMessage, nonce: string): DiscordRequest {
  const body = { allowed_mentions: { parse: [] }, ...message };
  if (target.kind === "channel") {
    return { method: "POST", path: `/channels/${target.channelId}/messages`, auth: "bot", body: { ...body, nonce, enforce_nonce: true }, idempotent: true };
  }
  return { method: "POST", path: `/webhooks/${target.webhookId}/${target.token}`, query: { wait: "true" }, auth: "none", body };
}

/** Edit Message / Edit Webhook Message: a PATCH is the same whenever it is repeated, so retries after a timeout are safe. */
export function editRequestFor(target: DeliveryTarget, messageId: string, message: DiscordMessage): DiscordRequest {
  const body = { allowed_mentions: { parse: [] }, ...message };
  if (target.kind === "channel") {
    return { method: "PATCH", path: `/channels/${target.channelId}/messages/${messageId}`, auth: "bot", body, idempotent: true };
  }
  return { method: "PATCH", path: `/webhooks/${target.webhookId}/${target.token}/messages/${messageId}`, auth: "none", body, idempotent: true };
}
