// The same chat line delivered twice (Twitch and Kick resend a message they think failed, with the same message id)
// gets exactly one reply. A chat reply has no de-duplication downstream of its own (unlike a go-live by stream id or
// an inbox row by its unique index), and the webhook hands the second delivery to nobody: the queue sees the event
// once, so the proof does not lean on the queue consumer's claim either.
import { describe, expect, it, vi } from "vitest";
import { webSubSecret } from "../../src/platforms/youtube/websub-signature.ts";
import { KICK, TWITCH, WAIT, api, fake, kickBot, processed, seedChatLab, sentTo } from "../chat-bot/chat-bot-harness.ts";
import { type Signed, YOUTUBE } from "../go-live/go-live-harness.ts";
import { snowflake } from "../outbox/outbox-harness.ts";
import { callWorker, envNamed, recordingQueue } from "../support/worker-call.ts";

/** The Worker with a queue that only records: the live after-answer run is the only one that acts. */
function webhookWorker() {
  const queue = recordingQueue();
  const workerEnv = { ...envNamed(), DISCORD_QUEUE: queue.queue };
  const deliver = (path: string, signed: Signed) => callWorker(path, { method: "POST", headers: signed.headers, body: signed.body }, workerEnv);
  return { deliver, queued: queue.sent };
}

describe("webhook de-duplication by message id", () => {
  it("Twitch: the same signed channel.chat.message twice → one reply at Helix, one event queued", async () => {
    const lab = await seedChatLab();
    expect((await api(lab, "POST", "/commands", { name: "once", response: "only once, {user}", globalCooldownSeconds: 0 })).status).toBe(201);
    const worker = webhookWorker();
    const signed = await fake<Signed>(TWITCH, "/__control/twitch/chat-message", { broadcaster_user_id: lab.broadcasterId, chatter_user_id: "555002", chatter_user_login: "twice", text: "!once" });

    expect((await worker.deliver("/webhooks/twitch", signed)).status).toBe(204);
    expect((await worker.deliver("/webhooks/twitch", signed)).status).toBe(204);
    await processed("twitch.notification", signed.headers["twitch-eventsub-message-id"] as string);
    await vi.waitFor(async () => expect(await sentTo(lab)).toHaveLength(1), WAIT);
    expect((await sentTo(lab))[0]).toMatchObject({ message: "only once, twice", is_sent: true });
    expect(worker.queued).toHaveLength(1);
  });

  it("Kick: the same chat.message.sent twice (one Kick-Event-Message-Id) → one reply at Kick, one event queued", async () => {
    const lab = await seedChatLab();
    const kickBroadcaster = 8_000_000 + Math.floor(Math.random() * 1_000_000);
    const { connectionId } = await kickBot(lab);
    expect((await api(lab, "POST", "/channels", { platform: "kick", channelId: String(kickBroadcaster), channelLogin: "dedupekick", connectionId, botIsModerator: true })).status).toBe(201);
    await api(lab, "POST", "/commands", { name: "once", response: "only once, {user}", globalCooldownSeconds: 0 });
    const worker = webhookWorker();
    const messageId = `kick-dupe-${kickBroadcaster}`;
    const signed = await fake<Signed>(KICK, "/__control/kick/sign", {
      eventType: "chat.message.sent",
      event: { message_id: messageId, broadcaster: { user_id: kickBroadcaster, username: "dedupekick", is_verified: false, profile_picture: "", channel_slug: "dedupekick" }, sender: { user_id: 6161, username: "KickTwice", is_verified: false, profile_picture: "", channel_slug: "kicktwice", identity: { username_color: "#fff", badges: [] } }, content: "!once", emotes: [] },
    });

    expect((await worker.deliver("/webhooks/kick", signed)).status).toBe(204);
    expect((await worker.deliver("/webhooks/kick", signed)).status).toBe(204);
    await processed("kick.event", signed.headers["kick-event-message-id"] as string);
    type KickChat = { messages: { broadcaster_user_id: number; content: string }[] };
    const mine = async () => (await fake<KickChat>(KICK, "/__control/kick/chat")).messages.filter((m) => m.broadcaster_user_id === kickBroadcaster);
    await vi.waitFor(async () => expect(await mine()).toHaveLength(1), WAIT);
    expect((await mine())[0]).toMatchObject({ content: "only once, KickTwice" });
    expect(worker.queued).toHaveLength(1);
  });
});

/** The Worker with a queue whose first send fails (a Queues outage), then records. */
function queueFailingOnce() {
  const sent: unknown[] = [];
  let failed = false;
  const queue = {
    send: async (body: unknown) => {
      if (!failed) {
        failed = true;
        throw new Error("Queue send failed: simulated outage");
      }
      sent.push(body);
    },
  } as unknown as Queue;
  const workerEnv = { ...envNamed(), DISCORD_QUEUE: queue };
  const deliver = (path: string, signed: Signed) => callWorker(path, { method: "POST", headers: signed.headers, body: signed.body }, workerEnv);
  return { deliver, queued: sent as { body: { id: string } }[] };
}

describe("a delivery the queue refused is handled when the platform retries it", () => {
  it("Twitch: the first delivery answers 5xx, the retry with the same message id is queued, not a duplicate", async () => {
    const worker = queueFailingOnce();
    const signed = await fake<Signed>(TWITCH, "/__control/twitch/sign", { messageType: "notification", subscriptionType: "stream.offline", event: { broadcaster_user_id: snowflake(), broadcaster_user_login: "retried", broadcaster_user_name: "Retried" } });
    expect((await worker.deliver("/webhooks/twitch", signed)).status).toBeGreaterThanOrEqual(500);
    expect(worker.queued).toHaveLength(0);

    expect((await worker.deliver("/webhooks/twitch", signed)).status).toBe(204);
    expect(worker.queued.map((m) => m.body.id)).toEqual([signed.headers["twitch-eventsub-message-id"]]);
    // Once queued, the same id again is the duplicate.
    expect((await worker.deliver("/webhooks/twitch", signed)).status).toBe(204);
    expect(worker.queued).toHaveLength(1);
  });

  it("Kick: the first delivery answers 5xx, the retry with the same Kick-Event-Message-Id is queued", async () => {
    const worker = queueFailingOnce();
    const userId = Number(snowflake().slice(-8));
    const signed = await fake<Signed>(KICK, "/__control/kick/sign", {
      eventType: "livestream.status.updated",
      event: { broadcaster: { is_anonymous: false, user_id: userId, username: "retried", is_verified: false, profile_picture: "", channel_slug: "retried" }, is_live: false, title: "", started_at: null, ended_at: new Date().toISOString() },
    });
    expect((await worker.deliver("/webhooks/kick", signed)).status).toBeGreaterThanOrEqual(500);
    expect((await worker.deliver("/webhooks/kick", signed)).status).toBe(204);
    expect(worker.queued.map((m) => m.body.id)).toEqual([signed.headers["kick-event-message-id"]]);
  });

  it("YouTube: the hub's retry of a push that answered 5xx is published (published: 1), not skipped", async () => {
    const worker = queueFailingOnce();
    const channelId = `UC${snowflake().padEnd(22, "r").slice(0, 22)}`;
    const videoId = `r${snowflake().slice(-9)}`;
    const push = await fake<Signed>(YOUTUBE, "/__control/youtube/push", { channelId, videoId, secret: await webSubSecret(envNamed().ENCRYPTION_KEYS ?? "", channelId) });
    expect((await worker.deliver(`/webhooks/youtube/${channelId}`, push)).status).toBeGreaterThanOrEqual(500);
    const retried = await worker.deliver(`/webhooks/youtube/${channelId}`, push);
    expect(retried.status).toBe(202);
    expect(await retried.json()).toEqual({ accepted: true, published: 1 });
    expect(worker.queued).toHaveLength(1);
  });
});
