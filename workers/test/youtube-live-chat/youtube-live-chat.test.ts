// YouTube live chat end to end: go-live's videos.list check sees a connected channel's broadcast live, its
// YouTubeLiveChat object reads the chat at the fake YouTube at the page's pollingIntervalMillis (checked on the
// scheduled alarm, with the object's clock moved forward instead of waiting), following page tokens; a viewer's
// "!hello" is answered through liveChatMessages.insert with the streamer's token; a super chat lands in the inbox;
// a shouting viewer's lines are deleted (liveChatMessages.delete) and, as strikes escalate, they are warned and then
// timed out (liveChatBans.insert, temporary), each action in the moderation log;
// quota units are booked (5 per list, 50 per insert) and warned about at 80%; quotaExceeded pauses until midnight
// Pacific; the chat's end stops the poller. A channel go-live does not follow is found by the discovery cron job
// (liveBroadcasts.list, 1 unit); a timer speaks in the chat right after the start; the broadcaster, whose channel the
// bot speaks as, gets answers while the bot's echoes do not.
import { exports } from "cloudflare:workers";
import { chatChannels, moderationLog, unifiedInboxNotifications } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { quotaBudgetedIntervalMs } from "../../src/chat-bot/youtube-live-chat-state.ts";
import { nextQuotaReset } from "../../src/platforms/youtube/youtube-quota.ts";
import { type SeededUser, asUser, seedTenant, url, withDb } from "../support/seed.ts";
import {
  DISCOVERY_JOB,
  type LiveChatLab,
  advanceAndPoll,
  advanceBy,
  advanceTimers,
  alarmOf,
  broadcast,
  broadcastLists,
  chatBotApi,
  chatState,
  discover,
  onAir,
  poller,
  quotaUsed,
  seedLiveChatLab,
  setChat,
  setQuotaUsed,
  viewer,
  viewerSays,
} from "./live-chat-harness.ts";

const WAIT = { timeout: 20_000, interval: 50 };
const labs: LiveChatLab[] = [];
async function lab(options: { pollingIntervalMillis?: number } = {}): Promise<LiveChatLab> {
  const l = await seedLiveChatLab(options);
  labs.push(l);
  return l;
}

// Alarms outlive a test's storage: every broadcast a test started ends (else a later discovery run would find it on
// air and start its poller again) and its poller is stopped; and a test that used up the day's units gives them back
// (connecting a YouTube account spends one too).
afterEach(async () => {
  for (const l of labs.splice(0)) {
    await onAir(l, "ended");
    await poller(l).stop("test over");
  }
  await setQuotaUsed(0);
});

type Overview = {
  quota: { used: number; limit: number; warn: boolean; exhausted: boolean; resetsAt: string };
  channels: { id: string; liveChatId: string | null; poller: { status: string; messagesHandled: number; notifications: number; endReason: string | null } | null }[];
};

describe("YouTube live chat: reading", () => {
  it("go-live sees the broadcast live → the poller skips the backlog, answers !hello via insert, and never polls before pollingIntervalMillis", async () => {
    const l = await lab({ pollingIntervalMillis: 12_345 });
    await chatBotApi(l, "POST", "/commands", { name: "hello", response: "Hello {user}!", globalCooldownSeconds: 0 });
    // Written before the bot joined: history, not to be answered late.
    await viewerSays(l, [{ type: "textMessageEvent", author: viewer(1), text: "!hello" }]);

    await broadcast(l, "live");
    const started = await poller(l).status();
    // Never sooner than YouTube asked; later when the day's quota budget stretches it (quotaBudgetedIntervalMs).
    expect(started).toMatchObject({ status: "polling", videoId: l.videoId, youtubeIntervalMs: 12_345, messagesHandled: 0 });
    const interval = started?.pollingIntervalMs ?? 0;
    expect(interval).toBeGreaterThanOrEqual(12_345);
    let chat = await chatState(l);
    expect(chat.listCalls).toEqual([expect.objectContaining({ pageToken: null, auth: "oauth" })]);
    expect(chat.inserts).toEqual([]);
    // The next poll is scheduled exactly one interval after this one.
    const first = await alarmOf(l);
    expect(first.alarm).toBe(Date.parse(started?.lastPollAt ?? "") - first.offset + interval);

    // An alarm that fires early re-arms for the same instant (on the object's clock) without calling YouTube. Well
    // early: the re-armed alarm must not come due on the real clock while the test looks at it.
    expect(await advanceBy(l, 2_000)).toBe(true);
    expect((await chatState(l)).listCalls).toHaveLength(1);
    const rearmed = await alarmOf(l);
    expect((rearmed.alarm ?? 0) + rearmed.offset).toBe((first.alarm ?? 0) + first.offset);

    await viewerSays(l, [{ type: "textMessageEvent", author: viewer(2), text: "!hello" }]);
    expect(await advanceBy(l, interval - 2_000)).toBe(true);
    chat = await chatState(l);
    expect(chat.listCalls).toHaveLength(2);
    expect(chat.listCalls[1]?.pageToken).toEqual(expect.any(String));
    expect(chat.inserts).toEqual([expect.objectContaining({ text: "Hello @viewer2!", authorChannelId: l.channelId })]);

    // The bot's own reply comes back in the next page: it is not a viewer's line.
    expect(await advanceAndPoll(l, 12_345)).toBe(true);
    chat = await chatState(l);
    expect(chat.listCalls).toHaveLength(3);
    expect(chat.listCalls[2]?.pageToken).not.toBe(chat.listCalls[1]?.pageToken);
    expect(chat.inserts).toHaveLength(1);
    expect(await poller(l).status()).toMatchObject({ status: "polling", messagesHandled: 1 });
  });

  it("owner, moderator and member roles come from authorDetails: a moderator-only command answers only the moderator", async () => {
    const l = await lab();
    await chatBotApi(l, "POST", "/commands", { name: "so", response: "Go follow {1}!", permission: "moderator", globalCooldownSeconds: 0 });
    await chatBotApi(l, "POST", "/commands", { name: "perk", response: "Thanks for being a member, {user}!", permission: "subscriber", globalCooldownSeconds: 0 });
    await broadcast(l, "live");
    await viewerSays(l, [
      { type: "textMessageEvent", author: viewer(3), text: "!so someone" },
      { type: "textMessageEvent", author: { ...viewer(4), isChatModerator: true }, text: "!so friend" },
      { type: "textMessageEvent", author: viewer(5), text: "!perk" },
      { type: "textMessageEvent", author: { ...viewer(6), isChatSponsor: true }, text: "!perk" },
    ]);
    await advanceAndPoll(l, 12_345);
    // The second reply waits for YouTube's per-channel gap in the bot's outbox.
    await vi.waitFor(async () => expect((await chatState(l)).inserts.map((i) => i.text)).toEqual(["Go follow friend!", "Thanks for being a member, @viewer6!"]), WAIT);
  });

  it("a super chat and a new member become inbox notifications of the tenant", async () => {
    const l = await lab();
    await broadcast(l, "live");
    const { ids } = await viewerSays(l, [
      { type: "superChatEvent", author: viewer(7), details: { amountMicros: "5000000", currency: "USD", amountDisplayString: "$5.00", userComment: "Love the stream", tier: 2 } },
      { type: "newSponsorEvent", author: viewer(8), details: { memberLevelName: "Nova Crew", isUpgrade: false } },
    ]);
    await advanceAndPoll(l, 12_345);
    const rows = await withDb((db) => db.select().from(unifiedInboxNotifications).where(eq(unifiedInboxNotifications.tenantId, l.tenantId)));
    expect(rows.map((r) => [r.sourceEventId, r.type, r.amount, r.currency, r.message, r.tier]).sort()).toEqual(
      [
        [ids[0], "super_chat", "5.00", "USD", "Love the stream", "2"],
        [ids[1], "membership", null, null, null, "Nova Crew"],
      ].sort(),
    );
    expect(rows.every((r) => r.streamerUserId === l.members.owner.userId && r.platform === "youtube")).toBe(true);
    expect(await poller(l).status()).toMatchObject({ notifications: 2 });
  });
});

describe("YouTube live chat: anti-spam", () => {
  it("caps spam read by the poller → liveChatMessages.delete each line, a warning via insert, then liveChatBans.insert temporary 60 s and 600 s; all logged", async () => {
    const l = await lab();
    await broadcast(l, "live");
    const spammer = viewer(20);
    const ids: string[] = [];
    for (const text of ["WHY IS NOBODY ANSWERING ME", "HELLO??? ANYONE THERE AT ALL", "I WILL KEEP SHOUTING FOREVER"]) {
      ids.push(...(await viewerSays(l, [{ type: "textMessageEvent", author: spammer, text }])).ids);
      expect(await advanceAndPoll(l, 12_345)).toBe(true);
    }

    const chat = await chatState(l);
    expect(chat.deletions).toEqual(ids);
    expect(chat.bans).toEqual([
      { bannedChannelId: spammer.channelId, type: "temporary", banDurationSeconds: 60 },
      { bannedChannelId: spammer.channelId, type: "temporary", banDurationSeconds: 600 },
    ]);
    // The warning waits for YouTube's per-channel gap in the bot's outbox.
    await vi.waitFor(async () => expect((await chatState(l)).inserts.map((i) => i.text)).toEqual(["@viewer20, please don't shout (warning)"]), WAIT);

    const log = await withDb((db) => db.select().from(moderationLog).where(eq(moderationLog.tenantId, l.tenantId)));
    expect(log.map((r) => [r.platform, r.channelId, r.userId, r.messageId, r.rule, r.action, r.strike, r.durationSeconds, r.error]).sort((a, b) => (a[6] as number) - (b[6] as number))).toEqual([
      ["youtube", l.channelId, spammer.channelId, ids[0], "caps", "warn", 1, null, null],
      ["youtube", l.channelId, spammer.channelId, ids[1], "caps", "timeout", 2, 60, null],
      ["youtube", l.channelId, spammer.channelId, ids[2], "caps", "timeout", 3, 600, null],
    ]);
  });
});

describe("YouTube live chat: quota", () => {
  it("books 5 units per list and 50 per insert; the API warns from 80%", async () => {
    const l = await lab();
    await chatBotApi(l, "POST", "/commands", { name: "hello", response: "Hi {user}", globalCooldownSeconds: 0 });
    await setQuotaUsed(7_900);
    await broadcast(l, "live");
    // videos.list (1) and the first liveChatMessages.list (5).
    expect(await quotaUsed()).toBe(7_906);
    // 94 units are left for chat before the 20% reserve: the next read waits their share of the hours until midnight
    // Pacific rather than YouTube's 12,345 ms.
    const reading = await poller(l).status();
    const polledAt = Date.parse(reading?.lastPollAt ?? "");
    expect(reading).toMatchObject({ youtubeIntervalMs: 12_345, pollingIntervalMs: quotaBudgetedIntervalMs({ youtubeIntervalMs: 12_345, used: 7_906, limit: 10_000, now: polledAt, resetAt: nextQuotaReset(polledAt) }) });
    let overview = (await chatBotApi<Overview>(l, "GET", "/youtube", undefined, "viewer")).body;
    expect(overview.quota).toMatchObject({ used: 7_906, limit: 10_000, warn: false, exhausted: false });

    await viewerSays(l, [{ type: "textMessageEvent", author: viewer(9), text: "!hello" }]);
    await advanceAndPoll(l, 12_345);
    expect((await chatState(l)).inserts).toHaveLength(1);
    expect(await quotaUsed()).toBe(7_906 + 5 + 50);
    overview = (await chatBotApi<Overview>(l, "GET", "/youtube", undefined, "viewer")).body;
    expect(overview.quota).toMatchObject({ used: 7_961, warn: false });

    await setQuotaUsed(7_996);
    await advanceAndPoll(l, 12_345);
    overview = (await chatBotApi<Overview>(l, "GET", "/youtube", undefined, "viewer")).body;
    expect(overview.quota).toMatchObject({ used: 8_001, warn: true, exhausted: false });
    expect(overview.channels).toEqual([expect.objectContaining({ id: l.channelRowId, liveChatId: l.liveChatId, poller: expect.objectContaining({ status: "polling" }) })]);
  });

  it("403 quotaExceeded pauses polling until midnight Pacific, shown in the API, without calling again before then", async () => {
    const l = await lab();
    await broadcast(l, "live");
    await setChat(l, { quotaExceeded: true });
    await advanceAndPoll(l, 12_345);
    const paused = await poller(l).status();
    expect(paused).toMatchObject({ status: "paused_quota", lastError: expect.stringContaining("quota") });
    const { alarm, offset } = await alarmOf(l);
    const resumeAt = Date.parse(paused?.nextPollAt ?? "");
    expect((alarm ?? 0) + offset).toBe(resumeAt);
    // The next Pacific midnight after the failure, at most a day away.
    expect(nextQuotaReset(resumeAt - 1)).toBe(resumeAt);
    expect(resumeAt - Date.parse(paused?.lastPollAt ?? "")).toBeGreaterThan(12_345);
    expect(resumeAt - Date.parse(paused?.lastPollAt ?? "")).toBeLessThanOrEqual(25 * 3_600_000 + 12_345);
    const overview = (await chatBotApi<Overview>(l, "GET", "/youtube")).body;
    expect(overview.quota).toMatchObject({ exhausted: true, warn: true });

    // Hours early: the alarm only re-arms.
    const calls = (await chatState(l)).listCalls.length;
    await advanceBy(l, 60_000);
    expect((await chatState(l)).listCalls).toHaveLength(calls);
    expect(await poller(l).status()).toMatchObject({ status: "paused_quota" });
  });

  it("our own tracker at the limit pauses without spending a call at YouTube", async () => {
    const l = await lab();
    await broadcast(l, "live");
    await setQuotaUsed(10_000);
    await advanceAndPoll(l, 12_345);
    expect(await poller(l).status()).toMatchObject({ status: "paused_quota" });
    expect((await chatState(l)).listCalls).toHaveLength(1);
  });
});

describe("YouTube live chat: the end", () => {
  it("offlineAt in a page ends the poller: no alarm, the channel's live chat cleared", async () => {
    const l = await lab();
    await broadcast(l, "live");
    // Added from the dashboard without a connection, the channel now reads and speaks with its owner's.
    expect((await withDb((db) => db.select().from(chatChannels).where(eq(chatChannels.id, l.channelRowId))))[0]).toMatchObject({ liveChatId: l.liveChatId, connectionId: l.connectionId });
    await setChat(l, { offlineAt: new Date().toISOString() });
    await advanceAndPoll(l, 12_345);
    expect(await poller(l).status()).toMatchObject({ status: "ended", endReason: expect.stringContaining("offline"), nextPollAt: null });
    expect((await alarmOf(l)).alarm).toBeNull();
    const [row] = await withDb((db) => db.select().from(chatChannels).where(eq(chatChannels.id, l.channelRowId)));
    expect(row?.liveChatId).toBeNull();
  });

  it("403 liveChatEnded ends it; a later check of the same broadcast does not restart it", async () => {
    const l = await lab();
    await broadcast(l, "live");
    await setChat(l, { ended: true });
    await advanceAndPoll(l, 12_345);
    expect(await poller(l).status()).toMatchObject({ status: "ended", endReason: "liveChatEnded" });
    const calls = (await chatState(l)).listCalls.length;
    await broadcast(l, "live");
    expect(await poller(l).status()).toMatchObject({ status: "ended" });
    expect((await chatState(l)).listCalls).toHaveLength(calls);
  });

  it("go-live seeing the broadcast ended stops the poller", async () => {
    const l = await lab();
    await broadcast(l, "live");
    await broadcast(l, "ended");
    expect(await poller(l).status()).toMatchObject({ status: "stopped", endReason: "the broadcast ended" });
    expect((await alarmOf(l)).alarm).toBeNull();
  });

  it("a transient error backs off (twice the interval), then the next good page resumes at the interval with the same token", async () => {
    const l = await lab();
    await broadcast(l, "live");
    await setChat(l, { failNext: 503 });
    await advanceAndPoll(l, 12_345);
    const failed = await poller(l).status();
    expect(failed).toMatchObject({ status: "backoff", errors: 1, lastError: expect.stringContaining("503") });
    const { alarm, offset } = await alarmOf(l);
    const retryAt = Date.parse(failed?.nextPollAt ?? "");
    expect((alarm ?? 0) + offset).toBe(retryAt);
    // It failed one interval (or a little more) after the last good poll, and waits two intervals from there.
    expect(retryAt - Date.parse(failed?.lastPollAt ?? "")).toBeGreaterThanOrEqual(12_345 + 2 * 12_345);

    await advanceAndPoll(l, 2 * 12_345);
    expect(await poller(l).status()).toMatchObject({ status: "polling", errors: 0 });
    const calls = (await chatState(l)).listCalls;
    expect(calls).toHaveLength(3);
    expect(calls[2]?.pageToken).toBe(calls[1]?.pageToken);
  });
});

describe("YouTube live chat: discovery of a channel go-live does not follow", () => {
  it("the cron job asks liveBroadcasts.list with the streamer's token (1 unit), starts the poller when on air, leaves a running one alone, and the end stops it for good", async () => {
    const l = await lab();
    expect(DISCOVERY_JOB?.schedule).toBe("*/5 * * * *");
    await chatBotApi(l, "POST", "/commands", { name: "hello", response: "Hello {user}!", globalCooldownSeconds: 0 });

    // Not on air: asked, nothing started. Every call is one unit.
    await setQuotaUsed(0);
    let before = await broadcastLists(l);
    await discover();
    let after = await broadcastLists(l);
    expect(after.own.slice(before.own.length)).toEqual([{ channelId: l.channelId, broadcastStatus: "active", broadcastType: "all" }]);
    expect(await quotaUsed()).toBe(after.all - before.all);
    expect(await poller(l).status()).toBeNull();

    await onAir(l, "live");
    await setQuotaUsed(0);
    before = after;
    await discover();
    after = await broadcastLists(l);
    expect(after.own).toHaveLength(before.own.length + 1);
    expect(await poller(l).status()).toMatchObject({ status: "polling", videoId: l.videoId, liveChatId: l.liveChatId });
    expect((await chatState(l)).listCalls).toEqual([expect.objectContaining({ pageToken: null, auth: "oauth" })]);
    // One unit per liveBroadcasts.list, five for the chat's first page.
    expect(await quotaUsed()).toBe(after.all - before.all + 5);
    const [row] = await withDb((db) => db.select().from(chatChannels).where(eq(chatChannels.id, l.channelRowId)));
    expect(row).toMatchObject({ liveChatId: l.liveChatId, connectionId: l.connectionId });

    // Running: the next run does not ask about this channel, and the poller is not restarted.
    await discover();
    expect((await broadcastLists(l)).own).toHaveLength(after.own.length);
    expect((await chatState(l)).listCalls).toHaveLength(1);

    await viewerSays(l, [{ type: "textMessageEvent", author: viewer(11), text: "!hello" }]);
    await advanceAndPoll(l, 12_345);
    expect((await chatState(l)).inserts.map((i) => i.text)).toEqual(["Hello @viewer11!"]);

    // The stream ends: the next page says offlineAt and the poller stops; the job, asking again, starts nothing.
    await onAir(l, "ended");
    await advanceAndPoll(l, 12_345);
    expect(await poller(l).status()).toMatchObject({ status: "ended", endReason: expect.stringContaining("offline") });
    await discover();
    expect((await broadcastLists(l)).own).toHaveLength(after.own.length + 1);
    expect(await poller(l).status()).toMatchObject({ status: "ended" });
    expect((await withDb((db) => db.select().from(chatChannels).where(eq(chatChannels.id, l.channelRowId))))[0]?.liveChatId).toBeNull();
  });

  it("go-live and the job seeing the same broadcast at once start one poller, which reads the first page once", async () => {
    const l = await lab();
    await onAir(l, "live");
    await Promise.all([broadcast(l, "live"), discover()]);
    expect(await poller(l).status()).toMatchObject({ status: "polling", liveChatId: l.liveChatId });
    expect((await chatState(l)).listCalls).toEqual([expect.objectContaining({ pageToken: null })]);
  });

  it("from 95% of the day's units the job asks YouTube nothing; just below, it does", async () => {
    const l = await lab();
    await onAir(l, "live");
    await setQuotaUsed(9_500);
    const before = await broadcastLists(l);
    await discover();
    expect((await broadcastLists(l)).all).toBe(before.all);
    expect(await quotaUsed()).toBe(9_500);
    expect(await poller(l).status()).toBeNull();

    await setQuotaUsed(9_499);
    await discover();
    expect((await broadcastLists(l)).own).toHaveLength(before.own.length + 1);
    expect(await poller(l).status()).toMatchObject({ status: "polling" });
  });
});

describe("YouTube live chat: timers and the broadcaster's own lines", () => {
  it("a timer posts in the chat once the poller's start filled in the channel's connection, without a re-sync from the dashboard", async () => {
    const l = await lab();
    // Synced to the timers while the channel had no connection (added from the dashboard without one).
    expect((await chatBotApi(l, "POST", "/timers", { name: "socials", message: "Subscribe for more!", intervalMinutes: 5, minLines: 0 })).status).toBe(201);
    await onAir(l, "live");
    await discover();
    expect(await poller(l).status()).toMatchObject({ status: "polling" });

    expect(await advanceTimers(l, 6 * 60_000)).toBe(true);
    await vi.waitFor(async () => expect((await chatState(l)).inserts).toEqual([expect.objectContaining({ text: "Subscribe for more!", authorChannelId: l.channelId })]), WAIT);
    // Its echo in the next page is the bot's own line.
    await advanceAndPoll(l, 12_345);
    expect(await poller(l).status()).toMatchObject({ messagesHandled: 0 });
  });

  it("the broadcaster's own !command is answered though the bot speaks as their channel; the bot's echoed reply is not", async () => {
    const l = await lab();
    // A reply that is itself the command: taken for the broadcaster's line, the echo would be answered again.
    await chatBotApi(l, "POST", "/commands", { name: "hype", response: "!hype for {user}", globalCooldownSeconds: 0, userCooldownSeconds: 0 });
    await broadcast(l, "live");
    const streamer = { channelId: l.channelId, displayName: "@novalive" };
    await viewerSays(l, [{ type: "textMessageEvent", author: streamer, text: "!hype" }]);
    await advanceAndPoll(l, 12_345);
    await vi.waitFor(async () => expect((await chatState(l)).inserts.map((i) => i.text)).toEqual(["!hype for @novalive"]), WAIT);

    // The reply comes back in the next page from the broadcaster's channel: the outbox recorded its id.
    await advanceAndPoll(l, 12_345);
    expect((await chatState(l)).inserts).toHaveLength(1);
    expect(await poller(l).status()).toMatchObject({ messagesHandled: 1 });

    // The broadcaster typing it again is answered again.
    await viewerSays(l, [{ type: "textMessageEvent", author: streamer, text: "!hype" }]);
    await advanceAndPoll(l, 12_345);
    await vi.waitFor(async () => expect((await chatState(l)).inserts).toHaveLength(2), WAIT);
    expect(await poller(l).status()).toMatchObject({ messagesHandled: 2 });
  });
});

describe("YouTube live chat API", () => {
  it("needs a session and a member of the tenant", async () => {
    const l = await lab();
    const other = await withDb((db) => seedTenant(db, "Someone else"));
    expect((await chatBotApi(l, "GET", "/youtube", undefined, "viewer")).status).toBe(200);
    expect([403, 404]).toContain((await overviewAs(other.members.owner, l.tenantId)).status);
    expect((await overviewAs(null, l.tenantId)).status).toBe(401);
  });
});

// ---- helpers local to this suite ----

const overviewAs = (user: SeededUser | null, tenantId: string) =>
  exports.default.fetch(url(`/api/t/${tenantId}/streams/chat-bot/youtube`), user ? asUser(user) : {});
