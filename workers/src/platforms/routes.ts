// Webhooks from the streaming platforms, mounted at /webhooks: Twitch EventSub, YouTube WebSub, Kick. Each one is
// verified before anything is parsed, de-duplicated by message id in the cache, handed to the queue and answered at
// once; nothing here touches Postgres (Neon may be asleep, and platforms drop endpoints that answer slowly). Live
// events (chat, alerts) then also run right after the answer (platform-events.ts), the queue as their safety net.
import { Hono } from "hono";
import { z } from "zod";
import type { Cache } from "../cache/cache.ts";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { parseOrThrow } from "../http/validate.ts";
import { rateLimitFailures } from "../rate-limit/rate-limit.ts";
import { afterResponse } from "../services/services.ts";
import { kickHeaders } from "./kick/kick-signature.ts";
import { platformClients } from "./platform-clients.ts";
import { publishPlatformEvent } from "./platform-events.ts";
import { eventSubHeaders, verifyEventSub } from "./twitch/eventsub-signature.ts";
import { channelTopic, parseFeed } from "./youtube/atom-feed.ts";
import { dropLease, intentOf, recordLease } from "./youtube/websub-leases.ts";
import { verifyWebSub } from "./youtube/websub-signature.ts";

/** Longer than every platform's replay window (10 minutes) and retry burst. */
const DEDUPE_SECONDS = 3600;

/**
 * Marks a delivery seen and publishes it; false when it was seen already. When publishing fails the mark is taken
 * back: the 5xx makes the platform send the same message id again (Twitch and Kick retry; WebSub hubs retry a
 * non-2xx push), and that retry has to be handled, not answered "duplicate" with the event lost.
 */
async function publishOnce(cache: Cache, key: string, publish: () => Promise<void>, ttlSeconds = DEDUPE_SECONDS): Promise<boolean> {
  if (!(await cache.setIfAbsent(key, "1", ttlSeconds))) return false;
  try {
    await publish();
  } catch (err) {
    await cache.delete(key).catch(() => {});
    throw err;
  }
  return true;
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new AppError("BAD_REQUEST", "Malformed JSON in request body");
  }
}

const refused = (verdict: string) =>
  new AppError("FORBIDDEN", verdict === "stale" ? "Message timestamp is outside the replay window" : verdict === "missing" ? "Signature headers are missing" : "Invalid signature");

const EventSubBody = z.object({
  subscription: z.looseObject({ id: z.string(), type: z.string(), status: z.string().optional().default(""), condition: z.record(z.string(), z.string()).default({}) }),
  challenge: z.string().max(1000).optional(),
  event: z.record(z.string(), z.unknown()).optional(),
});

// Platforms' senders never fail signatures; 30 failures a minute per address is generous for a misconfigured secret.
const failures = (name: string) => rateLimitFailures({ name: `webhooks-${name}`, limit: 30, windowSeconds: 60 });

const YOUTUBE_CHANNEL = /^UC[\w-]{22}$/;

/**
 * A WebSub push carries no timestamp header or nonce (W3C WebSub §7 signs the body only), so a captured push stays
 * valid forever: only entries whose <updated> is within the de-duplication window (a little clock skew allowed
 * ahead) are taken, and their key outlives that window, so a replay finds it or is too old.
 */
const WEBSUB_SKEW_SECONDS = 300;
const isFreshEntry = (updated: string | null, now: number) => {
  const at = updated === null ? Number.NaN : Date.parse(updated);
  return Number.isFinite(at) && at >= now - DEDUPE_SECONDS * 1000 && at <= now + WEBSUB_SKEW_SECONDS * 1000;
};

export const platformWebhookRoutes = new Hono<AppEnv>()
  .post("/twitch", failures("twitch"), async (c) => {
    const { config, cache, now } = c.var.services;
    const secret = config.TWITCH_EVENTSUB_SECRET;
    if (!secret) throw new AppError("FORBIDDEN", "Twitch EventSub is not configured (TWITCH_EVENTSUB_SECRET is not set)");
    const body = new Uint8Array(await c.req.arrayBuffer());
    const headers = eventSubHeaders((n) => c.req.header(n));
    const verdict = await verifyEventSub(secret, headers, body, now().getTime());
    if (verdict !== "ok") throw refused(verdict);
    const message = parseOrThrow(EventSubBody, parseJson(body), "EventSub message");
    const type = c.req.header("twitch-eventsub-message-type");
    // Twitch: answer the verification with the challenge as the raw body, text/plain, 200.
    if (type === "webhook_callback_verification") {
      if (!message.challenge) throw new AppError("BAD_REQUEST", "Verification without a challenge");
      return c.text(message.challenge, 200);
    }
    const messageId = headers.messageId as string;
    const sub = message.subscription;
    const event = message.event;
    if (type !== "revocation" && !(type === "notification" && event)) throw new AppError("BAD_REQUEST", "Unknown EventSub message type");
    // Twitch resends a message it thinks failed, with the same id: acknowledge it and do nothing more.
    await publishOnce(cache, `webhook:twitch:${messageId}`, () =>
      type === "revocation" || !event
        ? publishPlatformEvent(c.env, { kind: "twitch.revocation", id: messageId, subscriptionId: sub.id, subscriptionType: sub.type, status: sub.status, condition: sub.condition }, c.var.requestId)
        : publishPlatformEvent(c.env, { kind: "twitch.notification", id: messageId, subscriptionId: sub.id, subscriptionType: sub.type, event }, c.var.requestId, (work) => afterResponse(c, work)),
    );
    return c.body(null, 204);
  })
  // WebSub verification of intent (W3C WebSub §5.3): echo hub.challenge only for a topic and mode we asked for.
  .get("/youtube/:sub", async (c) => {
    const { cache, now } = c.var.services;
    const channelId = c.req.param("sub");
    const mode = c.req.query("hub.mode");
    const topic = c.req.query("hub.topic");
    const challenge = c.req.query("hub.challenge");
    if (!YOUTUBE_CHANNEL.test(channelId) || topic !== channelTopic(channelId) || !challenge || (mode !== "subscribe" && mode !== "unsubscribe")) {
      throw new AppError("NOT_FOUND", "Unknown subscription");
    }
    if ((await intentOf(cache, channelId)) !== mode) throw new AppError("NOT_FOUND", "No pending request for this subscription");
    if (mode === "subscribe") {
      const lease = Number(c.req.query("hub.lease_seconds") ?? "0");
      await recordLease(cache, channelId, Number.isFinite(lease) && lease > 0 ? lease : 86_400, now().getTime());
    } else await dropLease(cache, channelId);
    return c.text(challenge, 200);
  })
  .post("/youtube/:sub", async (c) => {
    const { config, cache, now } = c.var.services;
    const channelId = c.req.param("sub");
    if (!YOUTUBE_CHANNEL.test(channelId)) throw new AppError("NOT_FOUND", "Unknown subscription");
    const body = new Uint8Array(await c.req.arrayBuffer());
    // WebSub §7: a bad signature is still answered 2xx (the hub would retry it), and the content is ignored.
    if (!(await verifyWebSub(config.ENCRYPTION_KEYS, channelId, c.req.header("x-hub-signature"), body))) return c.json({ accepted: false }, 202);
    const at = now().getTime();
    const entries = parseFeed(new TextDecoder().decode(body)).entries.filter((e) => e.channelId === channelId);
    const fresh = entries.filter((e) => isFreshEntry(e.updated, at));
    // Only stale (replayed) entries: acknowledged, and not worth a videos.list unit.
    if (entries.length > 0 && fresh.length === 0) return c.body(null, 204);
    let published = 0;
    for (const entry of fresh) {
      // Pushes carry no message id: the entry's (video, updated) pair is the delivery's identity.
      const id = `${entry.videoId}:${entry.updated}`;
      const publish = () => publishPlatformEvent(c.env, { kind: "youtube.video", id, channelId, videoId: entry.videoId }, c.var.requestId);
      if (await publishOnce(cache, `webhook:youtube:${id}`, publish, DEDUPE_SECONDS + WEBSUB_SKEW_SECONDS)) published += 1;
    }
    return c.json({ accepted: true, published }, 202);
  })
  .post("/kick", failures("kick"), async (c) => {
    const { config, cache, now } = c.var.services;
    const body = new Uint8Array(await c.req.arrayBuffer());
    const headers = kickHeaders((n) => c.req.header(n));
    if (!headers.messageId || !headers.signature || !headers.timestamp) throw refused("missing");
    const verdict = await platformClients(config, cache).kick.verifyWebhook(headers, body, now().getTime());
    if (verdict !== "ok") throw refused(verdict);
    const event = parseOrThrow(z.record(z.string(), z.unknown()), parseJson(body), "Kick event");
    if (!headers.eventType) throw new AppError("BAD_REQUEST", "Kick-Event-Type is missing");
    const { messageId, eventType, eventVersion } = headers;
    await publishOnce(cache, `webhook:kick:${messageId}`, () =>
      publishPlatformEvent(c.env, { kind: "kick.event", id: messageId, eventType, eventVersion: eventVersion ?? "1", event }, c.var.requestId, (work) => afterResponse(c, work)),
    );
    return c.body(null, 204);
  });
