// Every platform webhook refuses what it did not sign, before parsing: tampered body, wrong secret or key, stale
// timestamp; a repeated message id is acknowledged and ignored. Also Twitch's challenge echo and revocation → recreate.
import { exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { ensureTwitchSubscriptions } from "../../src/go-live/subscriptions.ts";
import "../../src/go-live/sources.ts";
import { discordSide, snowflake } from "../outbox/outbox-harness.ts";
import { url } from "../support/seed.ts";
import { KICK, type Signed, TWITCH, YOUTUBE, deliver, fake, seedGoLiveTenant, trackStreamer, twitchUserId, withDeps } from "./go-live-harness.ts";

const WAIT = { timeout: 20_000, interval: 50 };
const stale = () => new Date(Date.now() - 11 * 60_000).toISOString();
const tamper = (s: Signed) => s.body.replace(/"(broadcaster_user_login|title)":"/, '"$1":"x');

async function expectRefused(res: Response, message: RegExp) {
  expect(res.status).toBe(403);
  const body = await res.json<{ error: { code: string; message: string } }>();
  expect(body.error.code).toBe("FORBIDDEN");
  expect(body.error.message).toMatch(message);
}

describe("Twitch EventSub signatures", () => {
  const online = (userId: string, streamId: string) => ({ messageType: "notification", subscriptionType: "stream.online", event: { id: streamId, broadcaster_user_id: userId, broadcaster_user_login: "sigtest", broadcaster_user_name: "SigTest", type: "live", started_at: new Date().toISOString() } });

  it("valid → accepted once; the same message id again → 204 and nothing more", async () => {
    const tenant = await seedGoLiveTenant();
    const userId = twitchUserId();
    const streamer = await trackStreamer(tenant, { platform: "twitch", platformUserId: userId, login: "sigtest", displayName: "SigTest" });
    const signed = await fake<Signed>(TWITCH, "/__control/twitch/sign", online(userId, `s-${snowflake()}`));
    expect((await deliver("/webhooks/twitch", signed)).status).toBe(204);
    expect((await deliver("/webhooks/twitch", signed)).status).toBe(204);
    await vi.waitFor(async () => expect((await discordSide(`channel:${streamer.channelId}`)).messages).toHaveLength(1), WAIT);
  });

  it("refuses a tampered body, a wrong secret, a stale timestamp and missing headers", async () => {
    const userId = twitchUserId();
    const signed = await fake<Signed>(TWITCH, "/__control/twitch/sign", online(userId, "s-1"));
    await expectRefused(await deliver("/webhooks/twitch", signed, { body: tamper(signed) }), /Invalid signature/);
    await expectRefused(await deliver("/webhooks/twitch", await fake<Signed>(TWITCH, "/__control/twitch/sign", { ...online(userId, "s-2"), secret: "not-our-secret-at-all" })), /Invalid signature/);
    await expectRefused(await deliver("/webhooks/twitch", await fake<Signed>(TWITCH, "/__control/twitch/sign", { ...online(userId, "s-3"), timestamp: stale() })), /replay window/);
    await expectRefused(await deliver("/webhooks/twitch", signed, { headers: { "twitch-eventsub-message-signature": "" } }), /missing/);
  });

  it("echoes the verification challenge as text/plain", async () => {
    const signed = await fake<Signed>(TWITCH, "/__control/twitch/sign", { messageType: "webhook_callback_verification", subscriptionType: "stream.online", challenge: "pogchamp-kappa-123", condition: { broadcaster_user_id: "1" } });
    const res = await deliver("/webhooks/twitch", signed);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe("pogchamp-kappa-123");
  });

  it("re-creates a subscription Twitch revoked for failed deliveries", async () => {
    const tenant = await seedGoLiveTenant();
    const userId = twitchUserId();
    await trackStreamer(tenant, { platform: "twitch", platformUserId: userId });
    expect(await withDeps((deps) => ensureTwitchSubscriptions(deps, userId))).toBe("subscribed");
    type Sub = { id: string; type: string; status: string; condition: Record<string, string>; transport: { callback: string } };
    const subs = async () => (await fake<{ subscriptions: Sub[] }>(TWITCH, "/__control/twitch/state")).subscriptions.filter((s) => s.condition.broadcaster_user_id === userId);
    const before = await subs();
    expect(before.map((s) => s.type).sort()).toEqual(["stream.offline", "stream.online"]);
    expect(before[0]?.transport.callback).toBe("http://localhost/webhooks/twitch");
    const revoked = before.find((s) => s.type === "stream.online") as Sub;

    const signed = await fake<Signed>(TWITCH, "/__control/twitch/sign", { messageType: "revocation", subscriptionType: "stream.online", subscriptionId: revoked.id, status: "notification_failures_exceeded" });
    expect((await deliver("/webhooks/twitch", signed)).status).toBe(204);

    await vi.waitFor(async () => {
      const online = (await subs()).filter((s) => s.type === "stream.online");
      expect(online).toHaveLength(1);
      expect(online[0]?.id).not.toBe(revoked.id);
      expect(online[0]?.status).toBe("webhook_callback_verification_pending");
    }, WAIT);
  });
});

describe("Kick webhook signatures", () => {
  const event = (userId: number) => ({ eventType: "livestream.status.updated", event: { broadcaster: { user_id: userId, username: "KickSig", channel_slug: "kicksig" }, is_live: true, title: "Signed", started_at: new Date().toISOString(), ended_at: null } });

  it("valid → one notice; duplicate id → 204 and nothing more", async () => {
    const tenant = await seedGoLiveTenant();
    const kickId = Number(snowflake().slice(-8));
    const streamer = await trackStreamer(tenant, { platform: "kick", platformUserId: String(kickId), login: "kicksig", displayName: "KickSig" });
    const signed = await fake<Signed>(KICK, "/__control/kick/sign", event(kickId));
    expect((await deliver("/webhooks/kick", signed)).status).toBe(204);
    expect((await deliver("/webhooks/kick", signed)).status).toBe(204);
    await vi.waitFor(async () => expect((await discordSide(`channel:${streamer.channelId}`)).messages).toHaveLength(1), WAIT);
  });

  it("refuses a tampered body, another key, a stale timestamp and a garbled signature", async () => {
    const signed = await fake<Signed>(KICK, "/__control/kick/sign", event(1));
    await expectRefused(await deliver("/webhooks/kick", signed, { body: tamper(signed) }), /Invalid signature/);
    await expectRefused(await deliver("/webhooks/kick", await fake<Signed>(KICK, "/__control/kick/sign", { ...event(1), wrongKey: true })), /Invalid signature/);
    await expectRefused(await deliver("/webhooks/kick", await fake<Signed>(KICK, "/__control/kick/sign", { ...event(1), timestamp: stale() })), /replay window/);
    await expectRefused(await deliver("/webhooks/kick", signed, { headers: { "kick-event-signature": "%%%not base64" } }), /Invalid signature/);
  });
});

describe("YouTube WebSub signatures", () => {
  it("ignores (202, accepted: false) a tampered push or one signed with another secret; a repeated push is published once", async () => {
    const channelId = `UC${snowflake().padEnd(22, "y").slice(0, 22)}`;
    const tenant = await seedGoLiveTenant();
    const streamer = await trackStreamer(tenant, { platform: "youtube", platformUserId: channelId });
    const { ensureYouTubeWebSub } = await import("../../src/go-live/subscriptions.ts");
    expect(await withDeps((deps) => ensureYouTubeWebSub(deps, channelId))).toBe("subscribed");
    const videoId = `w${snowflake().slice(-9)}`;
    await fake(YOUTUBE, "/__control/youtube/videos", [{ id: videoId, channelId, title: "Signed stream", live: "live", startedAt: new Date().toISOString() }]);
    const updated = new Date().toISOString();

    const tampered = await fake<Signed>(YOUTUBE, "/__control/youtube/push", { channelId, videoId, updated, tamper: true });
    expect(await (await deliver(`/webhooks/youtube/${channelId}`, tampered)).json()).toEqual({ accepted: false });
    const wrong = await fake<Signed>(YOUTUBE, "/__control/youtube/push", { channelId, videoId, updated, secret: "someone-elses-secret" });
    expect(await (await deliver(`/webhooks/youtube/${channelId}`, wrong)).json()).toEqual({ accepted: false });

    const good = await fake<Signed>(YOUTUBE, "/__control/youtube/push", { channelId, videoId, updated });
    expect(await (await deliver(`/webhooks/youtube/${channelId}`, good)).json()).toEqual({ accepted: true, published: 1 });
    expect(await (await deliver(`/webhooks/youtube/${channelId}`, good)).json()).toEqual({ accepted: true, published: 0 });
    await vi.waitFor(async () => expect((await discordSide(`channel:${streamer.channelId}`)).messages).toHaveLength(1), WAIT);
  });

  it("refuses (204, no videos.list) a captured push replayed after the de-duplication window, and one dated far ahead", async () => {
    const channelId = `UC${snowflake().padEnd(22, "q").slice(0, 22)}`;
    const tenant = await seedGoLiveTenant();
    await trackStreamer(tenant, { platform: "youtube", platformUserId: channelId });
    const { ensureYouTubeWebSub } = await import("../../src/go-live/subscriptions.ts");
    expect(await withDeps((deps) => ensureYouTubeWebSub(deps, channelId))).toBe("subscribed");
    const videoId = `q${snowflake().slice(-9)}`;
    await fake(YOUTUBE, "/__control/youtube/videos", [{ id: videoId, channelId, title: "Replayed stream", live: "live", startedAt: new Date().toISOString() }]);
    const lookups = async () => (await fake<{ videoLookups: Record<string, number> }>(YOUTUBE, "/__control/youtube/state")).videoLookups[videoId] ?? 0;

    // Captured 61 minutes ago: its de-duplication key is gone, and the entry's <updated> says how old it is.
    const captured = await fake<Signed>(YOUTUBE, "/__control/youtube/push", { channelId, videoId, updated: new Date(Date.now() - 61 * 60_000).toISOString() });
    const replayed = await deliver(`/webhooks/youtube/${channelId}`, captured);
    expect(replayed.status).toBe(204);
    const ahead = await fake<Signed>(YOUTUBE, "/__control/youtube/push", { channelId, videoId, updated: new Date(Date.now() + 60 * 60_000).toISOString() });
    expect((await deliver(`/webhooks/youtube/${channelId}`, ahead)).status).toBe(204);

    // A push from a minute ago is inside the window: taken.
    const recent = await fake<Signed>(YOUTUBE, "/__control/youtube/push", { channelId, videoId, updated: new Date(Date.now() - 60_000).toISOString() });
    expect(await (await deliver(`/webhooks/youtube/${channelId}`, recent)).json()).toEqual({ accepted: true, published: 1 });
    await vi.waitFor(async () => expect(await lookups()).toBe(1), WAIT);
  });

  it("answers no challenge for a subscription we did not request", async () => {
    const channelId = `UC${snowflake().padEnd(22, "z").slice(0, 22)}`;
    const topic = encodeURIComponent(`https://www.youtube.com/xml/feeds/videos.xml?channel_id=${channelId}`);
    const res = await exports.default.fetch(url(`/webhooks/youtube/${channelId}?hub.mode=subscribe&hub.topic=${topic}&hub.challenge=abc&hub.lease_seconds=100`));
    expect(res.status).toBe(404);
  });
});
