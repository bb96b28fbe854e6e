// Chaos: the fake Discord answers 429 or 500 on 30% of calls (some 500s after storing the message) and hangs on a
// few; 30 streamers go live, each reported by two sources, then end. Every notice arrives exactly once and ends
// edited to its final text (a repeated PATCH is harmless: the same body leaves the same message). The tenant's outbox runs on the test's virtual clock (outbox-harness.ts), so Discord's
// retry_after and the outbox's backoff cost no real time.
import { describe, expect, it } from "vitest";
import { type LiveFacts, type TrackedStreamer, observeLive, observeOffline } from "../../src/go-live/observe.ts";
import { control, discordSide, drain, openOutbox } from "../outbox/outbox-harness.ts";
import { seedGoLiveTenant, trackStreamer, twitchUserId, withDeps } from "./go-live-harness.ts";

const STREAMERS = 30;

describe("go-live under a failing Discord", () => {
  it("delivers every go-live exactly once and ends each with its stream-ended edit", async () => {
    const tenant = await seedGoLiveTenant("Chaos lab");
    const outbox = await openOutbox({ timeoutMs: 200 }, tenant.tenantId);
    const streamers: TrackedStreamer[] = [];
    for (let i = 0; i < STREAMERS; i++) {
      streamers.push(await trackStreamer(tenant, { platform: "twitch", platformUserId: twitchUserId(), login: `chaos${i}`, displayName: `Chaos ${i}`, pingRoleId: "777000111" }));
    }
    const keys = streamers.map((s) => `channel:${s.channelId}`);
    for (const [i, key] of keys.entries()) {
      // 15% route or global 429s, 10% 500s, 5% 500 after Discord stored it; the first call hangs on 2 of 30 channels.
      await control("/__control/bot", { key, seed: 100 + i, rate429: 0.1, rateGlobal429: 0.05, rate500: 0.1, rate500AfterStore: 0.05, retryAfter: 0.5, ...(i % 15 === 0 ? { hang: [1] } : {}) });
    }
    const facts = (i: number, source: LiveFacts["source"]): LiveFacts => ({ streamKey: `chaos-stream-${tenant.tenantId}-${i}`, source, startedAt: new Date(Date.now() - 3_600_000), title: `Chaos run ${i}`, game: "Celeste", url: `https://www.twitch.tv/chaos${i}`, thumbnailUrl: null, viewers: i });

    await withDeps(async (deps) => {
      for (const [i, s] of streamers.entries()) {
        await observeLive(deps, s, facts(i, "eventsub"));
        await observeLive(deps, s, facts(i, "poll"));
      }
    });
    await drain(outbox, keys);
    await withDeps(async (deps) => {
      for (const [i, s] of streamers.entries()) {
        await observeOffline(deps, s, { endedAt: new Date(), source: "eventsub" });
        await observeOffline(deps, s, { streamKey: facts(i, "poll").streamKey, endedAt: new Date(), source: "poll" });
      }
    });
    await drain(outbox, keys);

    let faults = 0;
    for (const [i, key] of keys.entries()) {
      const { messages, stats } = await discordSide(key);
      expect(messages, key).toHaveLength(1);
      expect(messages[0]?.content).toMatch(new RegExp(`^Chaos ${i} was live on Twitch for 1h`));
      // A PATCH answered 500 after Discord applied it is sent again: the same body, so the message ends the same.
      expect(messages[0]?.edits).toBeGreaterThanOrEqual(1);
      expect(messages[0]?.embeds[0]?.footer).toEqual({ text: "Stream ended" });
      expect(stats.violations).toBe(0);
      faults += stats.injected429 + stats.injected500 + stats.hung;
    }
    expect(faults).toBeGreaterThan(5);
    expect(await outbox.stub.status()).toMatchObject({ pending: 0, delivered: STREAMERS * 2, failed: 0 });
  });
});
