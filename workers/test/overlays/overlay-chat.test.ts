// Chat → overlays: a signed Twitch channel.chat.message that the chat bot lets through appears as a `chat` event on
// every connected renderer of the tenant's overlays with a chat box; a line anti-spam deleted never does, and an
// overlay without a chat box is never called. YouTube's lines arrive the same way from the live-chat poller.
import { overlayWire } from "@nebula/schema";
import { afterEach, describe, expect, it } from "vitest";
import { chatAndWait, seedChatLab, twitchChat } from "../chat-bot/chat-bot-harness.ts";
import { type LiveChatLab, advanceAndPoll, broadcast, onAir, poller, seedLiveChatLab, setQuotaUsed, viewer, viewerSays } from "../youtube-live-chat/live-chat-harness.ts";
import { type TestSocket, mustConnect } from "../support/sockets.ts";
import { createOverlayAs, sampleDocument, socketPath } from "./support.ts";

async function openSource(publicId: string): Promise<{ source: TestSocket; lastSeq: number }> {
  const source = await mustConnect(socketPath(publicId));
  const { lastSeq } = overlayWire.HelloFrame.parse(await source.nextJson());
  overlayWire.DocumentFrame.parse(await source.nextJson());
  return { source, lastSeq };
}

const nextEvent = async (source: TestSocket) => overlayWire.EventFrame.parse(await source.nextJson());

describe("chat lines on overlays", () => {
  it("a Twitch chat line reaches the chat box; a deleted spam line does not; the bot's own line is marked", async () => {
    const lab = await seedChatLab();
    const withChat = await createOverlayAs(lab.members.operator, lab, { name: "Main", document: sampleDocument() });
    const noChat = sampleDocument();
    noChat.layers = noChat.layers.filter((l) => l.type !== "chat-box");
    const withoutChat = await createOverlayAs(lab.members.operator, lab, { name: "BRB", document: noChat });
    const { source } = await openSource(withChat.publicId);

    await chatAndWait(lab, { text: "hello from chat", login: "nightowl", chatter: "560001" });
    const first = await nextEvent(source);
    expect(first).toMatchObject({ type: "event", seq: 1, event: { type: "chat", platform: "twitch", user: "nightowl", text: "hello from chat", colour: "#00FF7F" } });
    expect(first.event).not.toHaveProperty("bot");

    // Shouting is deleted at Twitch by anti-spam: it must not stay on stream. The next frame is the next clean line.
    const spam = await chatAndWait(lab, { text: "WHY IS NOBODY ANSWERING ME", login: "shouty", chatter: "560002" });
    expect((await twitchChat()).deletions.map((d) => d.message_id)).toContain(spam.chatMessageId);
    await chatAndWait(lab, { text: "the bot says hi", login: "novabot", chatter: lab.botId });
    await chatAndWait(lab, { text: "gg", login: "nightowl", chatter: "560001" });
    expect(await nextEvent(source)).toMatchObject({ seq: 2, event: { type: "chat", user: "novabot", text: "the bot says hi", bot: true } });
    expect(await nextEvent(source)).toMatchObject({ seq: 3, event: { type: "chat", user: "nightowl", text: "gg" } });
    source.close();

    // The overlay without a chat box was never sent a line: its room has numbered nothing.
    const other = await openSource(withoutChat.publicId);
    expect(other.lastSeq).toBe(0);
    other.source.close();
  });

  describe("from YouTube", () => {
    let lab: LiveChatLab | undefined;
    // The poller's alarm outlives the test: its broadcast ends and the poller stops (as in the live-chat suite).
    afterEach(async () => {
      if (!lab) return;
      await onAir(lab, "ended");
      await poller(lab).stop("test over");
      await setQuotaUsed(0);
    });

    it("a polled page's clean lines reach the chat box in order; its shouting does not", async () => {
      lab = await seedLiveChatLab();
      const overlay = await createOverlayAs(lab.members.operator, lab, { name: "Main", document: sampleDocument() });
      const { source } = await openSource(overlay.publicId);
      await broadcast(lab, "live");
      await viewerSays(lab, [
        { type: "textMessageEvent", author: viewer(7), text: "hi from YouTube" },
        { type: "textMessageEvent", author: viewer(8), text: "WHY IS NOBODY ANSWERING ME" },
        { type: "textMessageEvent", author: viewer(9), text: "gg" },
      ]);
      expect(await advanceAndPoll(lab, 12_345)).toBe(true);
      expect(await nextEvent(source)).toMatchObject({ seq: 1, event: { type: "chat", platform: "youtube", user: "@viewer7", text: "hi from YouTube", colour: null } });
      expect(await nextEvent(source)).toMatchObject({ seq: 2, event: { type: "chat", platform: "youtube", user: "@viewer9", text: "gg" } });
      source.close();
    });
  });
});
