// The go-live cron poll asks Twitch about every tracked Twitch account in batches: Helix /streams takes at most 100
// user_id per call (Twitch: "You may specify a maximum of 100 IDs"), so 150 accounts are two calls, never one refused
// call. The poll runs as a Twitch app of this test's own in the fake, so only this test's calls are counted.
import { randomUUID } from "node:crypto";
import { newId, trackedStreamers } from "@nebula/schema";
import { inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { pollGoLive } from "../../src/go-live/poll.ts";
import { TwitchClient } from "../../src/platforms/twitch/twitch-client.ts";
import { snowflake } from "../outbox/outbox-harness.ts";
import { withDb } from "../support/seed.ts";
import { TWITCH, fake, seedGoLiveTenant, twitchUserId, withDeps } from "./go-live-harness.ts";

describe("go-live poll: Twitch in batches of 100", () => {
  it("polls 150 tracked streamers in two Helix /streams calls of at most 100 ids each, every account once", async () => {
    const tenant = await seedGoLiveTenant("Many streamers lab");
    const accounts = Array.from({ length: 150 }, () => twitchUserId());
    const ids = await withDb(async (db) => {
      const rows = accounts.map((platformUserId) => ({
        id: newId("trackedStreamer"),
        tenantId: tenant.tenantId,
        guildId: tenant.guildId,
        platform: "twitch" as const,
        platformUserId,
        login: platformUserId,
        displayName: platformUserId,
        channelId: snowflake(),
      }));
      await db.insert(trackedStreamers).values(rows);
      return rows.map((r) => r.id);
    });
    const app = { clientId: `poll${randomUUID().replace(/-/g, "").slice(0, 20)}`, clientSecret: `secret-${randomUUID()}` };
    await fake(TWITCH, "/__control/twitch/apps", app);
    const twitch = new TwitchClient({ apiBase: `${TWITCH}/helix`, authBase: `${TWITCH}/oauth2`, ...app });

    try {
      const report = await withDeps((deps) => pollGoLive({ ...deps, clients: { ...deps.clients, twitch } }));
      const { streamCalls } = await fake<{ streamCalls: string[][] }>(TWITCH, `/__control/twitch/apps/${app.clientId}`);

      expect(report.failures).toEqual([]);
      // Other suites' streamers share the database, so the poll may carry a few more than these 150.
      const polled = report.twitch?.polled ?? 0;
      expect(polled).toBeGreaterThanOrEqual(150);
      expect(streamCalls.length).toBe(Math.ceil(polled / 100));
      expect(streamCalls.length).toBeGreaterThanOrEqual(2);
      for (const call of streamCalls) expect(call.length).toBeLessThanOrEqual(100);
      const asked = streamCalls.flat();
      expect(asked).toHaveLength(polled);
      expect(new Set(asked).size).toBe(polled);
      for (const account of accounts) expect(asked).toContain(account);
    } finally {
      // Left behind, they would make every other suite's poll ask about them.
      await withDb((db) => db.delete(trackedStreamers).where(inArray(trackedStreamers.id, ids)));
    }
  });
});
