// The same chat line delivered twice (Twitch and Kick resend a message they think failed, with the same message id)
// gets exactly one reply. A chat reply has no de-duplication downstream of its own (unlike a go-live by stream id or
// an inbox row by its unique index), and the webhook hands the second delivery to nobody: the queue sees the event
// once, so the proof does not lean on the queue consumer's claim either.
import { describe, expect, it, vi } from "vitest";
import { KICK, TWITCH, WAIT, api, fake, processed, seedChatLab, sentTo } from "../chat-bot/chat-bot-harness.ts";
import type { Signed } from "../go-live/go-live-harness.ts";
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
    await api(lab, "POST", "/channels", { platform: "kick", channelId: String(kickBroadcaster), channelLogin: "dedupekick", botUserId: "434343", botIsModerator: true });
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
