// Anti-spam on Kick end to end: shouting lines arrive as signed chat.message.sent webhooks at /webhooks/kick; the bot
// deletes each at the fake Kick (DELETE /public/v1/chat/:message_id), warns first (POST /public/v1/chat), then times the
// chatter out through POST /public/v1/moderation/bans with Kick's duration in minutes (60 s → 1, 600 s → 10), and the
// moderation log holds one row per action with no platform error.
import { moderationLog } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import type { Signed } from "../go-live/go-live-harness.ts";
import { withDb } from "../support/seed.ts";
import { KICK, WAIT, api, deliver, fake, kickBot, processed, seedChatLab } from "./chat-bot-harness.ts";

interface KickChatState {
  messages: { broadcaster_user_id: number; content: string; type: string }[];
  deletions: string[];
  bans: { broadcaster_user_id: number; user_id: number; duration: number | null; reason: string }[];
}

const kickChat = () => fake<KickChatState>(KICK, "/__control/kick/chat");

describe("chat bot anti-spam: Kick", () => {
  it("caps spam → deleted at Kick, warned, then timed out 1 and 10 minutes as strikes escalate; all logged", async () => {
    const lab = await seedChatLab();
    const broadcaster = 7_000_000 + Math.floor(Math.random() * 1_000_000);
    const spammer = 8_000_000 + Math.floor(Math.random() * 1_000_000);
    const { connectionId } = await kickBot(lab);
    expect((await api(lab, "POST", "/channels", { platform: "kick", channelId: String(broadcaster), channelLogin: "novakick", connectionId, botIsModerator: true })).status).toBe(201);

    const ids: string[] = [];
    for (const [i, content] of ["WHY IS NOBODY ANSWERING ME", "HELLO??? ANYONE THERE AT ALL", "I WILL KEEP SHOUTING FOREVER"].entries()) {
      const messageId = `kick-spam-${broadcaster}-${i}`;
      const signed = await fake<Signed>(KICK, "/__control/kick/sign", {
        eventType: "chat.message.sent",
        event: {
          message_id: messageId,
          broadcaster: { user_id: broadcaster, username: "novakick", is_verified: false, profile_picture: "", channel_slug: "novakick" },
          sender: { user_id: spammer, username: "Shouty", is_verified: false, profile_picture: "", channel_slug: "shouty", identity: { username_color: "#fff", badges: [] } },
          content,
          emotes: [],
        },
      });
      expect((await deliver("/webhooks/kick", signed)).status).toBe(204);
      await processed("kick.event", signed.headers["kick-event-message-id"] as string);
      ids.push(messageId);
    }

    const state = await kickChat();
    expect(state.deletions.filter((id) => ids.includes(id))).toEqual(ids);
    expect(state.bans.filter((b) => b.broadcaster_user_id === broadcaster)).toEqual([
      { broadcaster_user_id: broadcaster, user_id: spammer, duration: 1, reason: "Nebula anti-spam: caps (strike 2)" },
      { broadcaster_user_id: broadcaster, user_id: spammer, duration: 10, reason: "Nebula anti-spam: caps (strike 3)" },
    ]);
    // The warning leaves through the bot's outbox in that channel: type "user" with the channel (a "bot" message would
    // land in the bot account's own channel).
    await vi.waitFor(async () => {
      const sent = (await kickChat()).messages.filter((m) => m.broadcaster_user_id === broadcaster);
      expect(sent.map((m) => [m.content, m.type])).toEqual([["@Shouty, please don't shout (warning)", "user"]]);
    }, WAIT);

    const log = await withDb((db) => db.select().from(moderationLog).where(eq(moderationLog.tenantId, lab.tenantId)));
    expect(log.map((l) => [l.platform, l.channelId, l.userId, l.messageId, l.rule, l.action, l.strike, l.durationSeconds, l.error]).sort((a, b) => (a[6] as number) - (b[6] as number))).toEqual([
      ["kick", String(broadcaster), String(spammer), ids[0], "caps", "warn", 1, null, null],
      ["kick", String(broadcaster), String(spammer), ids[1], "caps", "timeout", 2, 60, null],
      ["kick", String(broadcaster), String(spammer), ids[2], "caps", "timeout", 3, 600, null],
    ]);
    const page = await api<{ entries: { platform: string; action: string }[] }>(lab, "GET", "/log?platform=kick&action=timeout", undefined, "viewer");
    expect(page.status).toBe(200);
    expect(page.body.entries.map((e) => [e.platform, e.action])).toEqual([
      ["kick", "timeout"],
      ["kick", "timeout"],
    ]);
  });
});
