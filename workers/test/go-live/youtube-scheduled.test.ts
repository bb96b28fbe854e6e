// A scheduled YouTube broadcast: WebSub pushes when it is scheduled (videos.list: "upcoming"), and may push nothing
// when it starts, while the cron leaves a channel with a live lease to pushes. The go-live cron asks videos.list about
// the remembered broadcast until it is live (one notice) or long past its schedule (dropped, nothing asked).
import { describe, expect, it, vi } from "vitest";
import { pollGoLive } from "../../src/go-live/poll.ts";
import "../../src/go-live/sources.ts";
import { ensureYouTubeWebSub } from "../../src/go-live/subscriptions.ts";
import { UPCOMING_GIVE_UP_MS, rememberUpcoming, upcomingOf } from "../../src/go-live/youtube-upcoming.ts";
import { recordLease } from "../../src/platforms/youtube/websub-leases.ts";
import { WEBSUB_LEASE_SECONDS } from "../../src/platforms/youtube/youtube-client.ts";
import { discordSide, snowflake } from "../outbox/outbox-harness.ts";
import { type Signed, YOUTUBE, deliver, fake, seedGoLiveTenant, trackStreamer, withDeps } from "./go-live-harness.ts";

const WAIT = { timeout: 20_000, interval: 50 };

/** A tracked channel whose WebSub lease is live: the cron does not read its uploads. */
async function channelWithLease() {
  const channelId = `UC${snowflake().padEnd(22, "s").slice(0, 22)}`;
  const tenant = await seedGoLiveTenant("Scheduled stream lab");
  const streamer = await trackStreamer(tenant, { platform: "youtube", platformUserId: channelId, login: "premiere", displayName: "Premiere Channel" });
  expect(await withDeps((deps) => ensureYouTubeWebSub(deps, channelId))).toBe("subscribed");
  await withDeps((deps) => recordLease(deps.cache, channelId, WEBSUB_LEASE_SECONDS, Date.now()));
  return { channelId, streamer };
}

const lookups = async (videoId: string) => (await fake<{ videoLookups: Record<string, number> }>(YOUTUBE, "/__control/youtube/state")).videoLookups[videoId] ?? 0;
const pending = (channelId: string) => withDeps((deps) => upcomingOf(deps.cache, channelId, Date.now()));

describe("go-live: scheduled YouTube broadcasts", () => {
  it("a push for an upcoming broadcast, then it goes live with no push: the next cron run sends exactly one notice", async () => {
    const { channelId, streamer } = await channelWithLease();
    const videoId = `u${snowflake().slice(-9)}`;
    const scheduledAt = new Date(Date.now() + 10 * 60_000).toISOString();
    await fake(YOUTUBE, "/__control/youtube/videos", [{ id: videoId, channelId, title: "Premiere: rack tour", live: "upcoming", scheduledAt, broadcastType: "event" }]);
    const push = await fake<Signed>(YOUTUBE, "/__control/youtube/push", { channelId, videoId });
    expect(await (await deliver(`/webhooks/youtube/${channelId}`, push)).json()).toEqual({ accepted: true, published: 1 });
    await vi.waitFor(async () => expect(await pending(channelId)).toEqual([videoId]), WAIT);

    // Still upcoming: asked about, nothing sent, still remembered.
    const before = await lookups(videoId);
    await withDeps((deps) => pollGoLive(deps));
    expect(await lookups(videoId)).toBe(before + 1);
    expect((await discordSide(`channel:${streamer.channelId}`)).messages).toHaveLength(0);
    expect(await pending(channelId)).toEqual([videoId]);

    // The broadcast starts; YouTube pushes nothing this time.
    await fake(YOUTUBE, "/__control/youtube/videos", [{ id: videoId, channelId, title: "Premiere: rack tour", live: "live", scheduledAt, startedAt: new Date().toISOString(), viewers: 12, broadcastType: "event" }]);
    await withDeps((deps) => pollGoLive(deps));
    const { messages } = await discordSide(`channel:${streamer.channelId}`);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.content).toBe(`Premiere Channel is live on YouTube: Premiere: rack tour\nhttps://www.youtube.com/watch?v=${videoId}`);
    expect(await pending(channelId)).toEqual([]);

    // A later run (which now polls the channel for its open session's end) sends nothing more.
    await withDeps((deps) => pollGoLive(deps));
    expect((await discordSide(`channel:${streamer.channelId}`)).messages).toHaveLength(1);
    expect(await pending(channelId)).toEqual([]);
  });

  it("a broadcast still upcoming a day past its schedule, or no longer listed, is dropped", async () => {
    const { channelId } = await channelWithLease();
    const abandoned = `a${snowflake().slice(-9)}`;
    const removed = `d${snowflake().slice(-9)}`;
    await fake(YOUTUBE, "/__control/youtube/videos", [
      { id: abandoned, channelId, title: "Never started", live: "upcoming", scheduledAt: new Date(Date.now() - UPCOMING_GIVE_UP_MS - 60_000).toISOString() },
      { id: removed, channelId, title: "Made private", live: "upcoming", privacyStatus: "private" },
    ]);
    await withDeps(async (deps) => {
      await rememberUpcoming(deps.cache, channelId, abandoned, Date.now() - UPCOMING_GIVE_UP_MS - 60_000, Date.now());
      await rememberUpcoming(deps.cache, channelId, removed, Date.now(), Date.now());
    });

    await withDeps((deps) => pollGoLive(deps));
    expect(await lookups(abandoned), "past its give-up time: not asked").toBe(0);
    expect(await lookups(removed)).toBe(1);
    expect(await pending(channelId)).toEqual([]);
  });
});
