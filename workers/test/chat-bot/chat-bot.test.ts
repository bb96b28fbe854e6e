// The chat bot end to end: a signed channel.chat.message arrives at /webhooks/twitch, goes through the queue, and the
// fake Helix sees what a streamer would: the command's reply, the spam message deleted and its author timed out with
// escalation, cooldowns respected, timers that wait for chat lines; Kick chat the same way through its webhook.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { moderationLog } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { CHAT_TIMERS_CLOCK_OFFSET_KEY, type ChatTimers } from "../../src/chat-bot/chat-timers.ts";
import { withDb } from "../support/seed.ts";
import type { Signed } from "../go-live/go-live-harness.ts";
import { KICK, WAIT, api, chat, chatAndWait, deliver, env, fake, kickBot, processed, seedChatLab, sentTo, twitchChat } from "./chat-bot-harness.ts";

describe("chat bot: Twitch", () => {
  it("!command in chat → the rendered reply arrives at Helix Send Chat Message, threaded to the message", async () => {
    const lab = await seedChatLab();
    expect((await api(lab, "POST", "/commands", { name: "discord", aliases: ["dc"], response: "Join us, {user}! Asked {count} times. {1}", globalCooldownSeconds: 0 })).status).toBe(201);

    const { chatMessageId } = await chat(lab, { text: "!dc please", login: "ada" });
    const [reply] = await vi.waitFor(async () => {
      const messages = await sentTo(lab);
      expect(messages).toHaveLength(1);
      return messages;
    }, WAIT);
    expect(reply).toMatchObject({ message: "Join us, ada! Asked 1 times. please", sender_id: lab.botId, reply_parent_message_id: chatMessageId, is_sent: true });
  });

  it("permission levels: a moderator-only command ignores viewers and answers a moderator", async () => {
    const lab = await seedChatLab();
    await api(lab, "POST", "/commands", { name: "so", response: "Go follow {1}!", permission: "moderator", globalCooldownSeconds: 0 });
    await chatAndWait(lab, { text: "!so someone", chatter: "700" });
    expect(await sentTo(lab)).toHaveLength(0);
    await chatAndWait(lab, { text: "!so friend", chatter: "701", badges: ["moderator"] });
    expect((await sentTo(lab)).map((m) => m.message)).toEqual(["Go follow friend!"]);
  });

  it("cooldowns: a global cooldown answers once; a per-user cooldown still answers someone else", async () => {
    const lab = await seedChatLab();
    await api(lab, "POST", "/commands", { name: "lurk", response: "{user} is lurking", globalCooldownSeconds: 300 });
    await api(lab, "POST", "/commands", { name: "hug", response: "{user} hugs {1}", userCooldownSeconds: 300, globalCooldownSeconds: 0 });
    await chatAndWait(lab, { text: "!lurk", login: "a1", chatter: "801" });
    await chatAndWait(lab, { text: "!lurk", login: "a2", chatter: "802" });
    await chatAndWait(lab, { text: "!hug you", login: "a1", chatter: "801" });
    await chatAndWait(lab, { text: "!hug again", login: "a1", chatter: "801" });
    await chatAndWait(lab, { text: "!hug them", login: "a2", chatter: "802" });
    expect((await sentTo(lab)).map((m) => m.message).sort()).toEqual(["a1 hugs you", "a1 is lurking", "a2 hugs them"]);
  });

  it("spam → message deleted, then warn, 60 s and 600 s timeouts as strikes escalate; all logged", async () => {
    const lab = await seedChatLab();
    const spammer = { chatter: "990001", login: "shouty" };
    const ids: string[] = [];
    for (const text of ["WHY IS NOBODY ANSWERING ME", "HELLO??? ANYONE THERE AT ALL", "I WILL KEEP SHOUTING FOREVER"]) ids.push((await chatAndWait(lab, { ...spammer, text })).chatMessageId);

    const state = await twitchChat();
    expect(state.deletions.filter((d) => d.broadcaster_id === lab.broadcasterId).map((d) => d.message_id)).toEqual(ids);
    expect(state.bans.filter((b) => b.broadcaster_id === lab.broadcasterId).map((b) => ({ user: b.user_id, duration: b.duration, moderator: b.moderator_id }))).toEqual([
      { user: "990001", duration: 60, moderator: lab.botId },
      { user: "990001", duration: 600, moderator: lab.botId },
    ]);
    expect((await sentTo(lab)).map((m) => m.message)).toEqual(["@shouty, please don't shout (warning)"]);
    const log = await withDb((db) => db.select().from(moderationLog).where(eq(moderationLog.tenantId, lab.tenantId)));
    expect(log.map((l) => [l.rule, l.action, l.strike, l.durationSeconds]).sort((a, b) => (a[2] as number) - (b[2] as number))).toEqual([
      ["caps", "warn", 1, null],
      ["caps", "timeout", 2, 60],
      ["caps", "timeout", 3, 600],
    ]);

    const page = await api<{ entries: { action: string }[] }>(lab, "GET", "/log?action=timeout&user=shouty", undefined, "viewer");
    expect(page.status).toBe(200);
    expect(page.body.entries).toHaveLength(2);
  });

  it("emote-only caps and moderators pass; a link passes only after !permit", async () => {
    const lab = await seedChatLab();
    await chatAndWait(lab, { text: "KEKW LUL OMEGALUL", fragments: [{ type: "emote", text: "KEKW" }, { type: "text", text: " " }, { type: "emote", text: "LUL" }, { type: "text", text: " " }, { type: "emote", text: "OMEGALUL" }], chatter: "300" });
    await chatAndWait(lab, { text: "WE ARE SO BACK CHAT LETS GO", badges: ["moderator"], chatter: "301" });
    expect((await twitchChat()).deletions.filter((d) => d.broadcaster_id === lab.broadcasterId)).toEqual([]);

    await chatAndWait(lab, { text: "!permit @clipper", badges: ["moderator"], chatter: "301" });
    await chatAndWait(lab, { text: "my clip https://clips.example.net/abc", login: "clipper", chatter: "302" });
    expect((await twitchChat()).deletions.filter((d) => d.broadcaster_id === lab.broadcasterId)).toEqual([]);
    // The permit covered one link.
    const second = await chatAndWait(lab, { text: "another https://clips.example.net/def", login: "clipper", chatter: "302" });
    expect((await twitchChat()).deletions.filter((d) => d.broadcaster_id === lab.broadcasterId).map((d) => d.message_id)).toEqual([second.chatMessageId]);
    expect((await sentTo(lab)).map((m) => m.message)).toContain("@clipper may post a link for 60 seconds.");
  });

  it("timers post only after their interval AND M chat lines (DO alarm on a controlled clock)", async () => {
    const lab = await seedChatLab();
    expect((await api(lab, "POST", "/timers", { name: "socials", message: "Follow on socials!", intervalMinutes: 5, minLines: 3 })).status).toBe(201);
    const timers = env.CHAT_TIMERS.getByName(lab.tenantId);
    const advance = (ms: number) => runInDurableObject(timers, async (_t: ChatTimers, state) => {
      state.storage.kv.put(CHAT_TIMERS_CLOCK_OFFSET_KEY, (state.storage.kv.get<number>(CHAT_TIMERS_CLOCK_OFFSET_KEY) ?? 0) + ms);
    });

    await advance(6 * 60_000);
    expect(await runDurableObjectAlarm(timers)).toBe(true);
    expect(await sentTo(lab)).toHaveLength(0);

    for (const text of ["hi", "how is everyone", "good stream"]) await chatAndWait(lab, { text, chatter: String(400 + text.length) });
    expect(await runDurableObjectAlarm(timers)).toBe(true);
    await vi.waitFor(async () => expect((await sentTo(lab)).map((m) => m.message)).toEqual(["Follow on socials!"]), WAIT);

    // Right after a post: neither the interval nor new lines are there yet.
    await advance(60_000);
    expect(await runDurableObjectAlarm(timers)).toBe(true);
    expect(await sentTo(lab)).toHaveLength(1);
  });
});

describe("chat bot: Kick", () => {
  it("a bot persona's reply to chat.message.sent lands in the streamer's channel, sent with the bot's token", async () => {
    const lab = await seedChatLab();
    const kickBroadcaster = 7_000_000 + Math.floor(Math.random() * 1_000_000);
    // The bot is its own Kick account, not the streamer: Kick would put a type "bot" message in the bot's own channel.
    const bot = await kickBot(lab, "novabot");
    expect((await api(lab, "POST", "/channels", { platform: "kick", channelId: String(kickBroadcaster), channelLogin: "novakick", connectionId: bot.connectionId, botIsModerator: true })).status).toBe(201);
    await api(lab, "POST", "/commands", { name: "socials", response: "Hi {user} from {platform}", globalCooldownSeconds: 0 });
    const messageId = `kick-msg-${kickBroadcaster}`;
    const signed = await fake<Signed>(KICK, "/__control/kick/sign", {
      eventType: "chat.message.sent",
      event: { message_id: messageId, broadcaster: { user_id: kickBroadcaster, username: "novakick", is_verified: false, profile_picture: "", channel_slug: "novakick" }, sender: { user_id: 5151, username: "KickFan", is_verified: false, profile_picture: "", channel_slug: "kickfan", identity: { username_color: "#fff", badges: [] } }, content: "!socials", emotes: [] },
    });
    expect((await deliver("/webhooks/kick", signed)).status).toBe(204);
    await processed("kick.event", signed.headers["kick-event-message-id"] as string);
    type KickChat = { messages: { broadcaster_user_id: number; content: string; reply_to_message_id: string | null; token_user_id: string }[] };
    await vi.waitFor(async () => {
      const mine = (await fake<KickChat>(KICK, "/__control/kick/chat")).messages.filter((m) => m.broadcaster_user_id === kickBroadcaster);
      expect(mine).toEqual([expect.objectContaining({ content: "Hi KickFan from kick", reply_to_message_id: messageId, token_user_id: bot.botId })]);
    }, WAIT);
    expect((await fake<KickChat>(KICK, "/__control/kick/chat")).messages.filter((m) => m.broadcaster_user_id === Number(bot.botId))).toEqual([]);
  });

  it("refuses a Kick channel on the app token (400): Kick chat needs the bot account's user token", async () => {
    const lab = await seedChatLab();
    const refused = await api<{ error: { code: string; message: string } }>(lab, "POST", "/channels", { platform: "kick", channelId: "7123456", channelLogin: "apptokenkick", botUserId: "424242" });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain("connected Kick account");
  });
});

describe("chat bot API", () => {
  it("viewers read, only admins change; names and aliases are unique; bad patterns are refused", async () => {
    const lab = await seedChatLab();
    expect((await api(lab, "POST", "/commands", { name: "x", response: "y" }, "operator")).status).toBe(403);
    expect((await api(lab, "POST", "/commands", { name: "!Rules", aliases: ["r"], response: "Be nice {bogus}" }, "admin")).status).toBe(201);
    expect((await api(lab, "POST", "/commands", { name: "r", response: "dup" })).status).toBe(409);
    const overview = await api<{ commands: { name: string; warnings: string[] }[]; antiSpam: { caps: { maxRatio: number } } }>(lab, "GET", "", undefined, "viewer");
    expect(overview.status).toBe(200);
    expect(overview.body.commands).toEqual([expect.objectContaining({ name: "rules", warnings: [expect.stringContaining("{bogus}")] })]);
    const settings = overview.body.antiSpam as Record<string, unknown> & { bannedWords?: unknown };
    const bad = await api<{ error: { code: string } }>(lab, "PUT", "/anti-spam", { ...settings, bannedWords: { enabled: true, words: [], patterns: ["(a+)+$"] } });
    expect(bad.status).toBe(400);
    expect((await api(lab, "PUT", "/anti-spam", { ...settings, bannedWords: { enabled: true, words: ["spam"], patterns: ["fr[e3]{2}"] } }, "operator")).status).toBe(403);
    expect((await api(lab, "PUT", "/anti-spam", { ...settings, bannedWords: { enabled: true, words: ["spam"], patterns: ["fr[e3]{2}"] } })).status).toBe(200);
  });
});
