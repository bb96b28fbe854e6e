// WebSub leases lapse (YouTube's hub grants up to 10 days): the go-live cron asks the hub to subscribe again once less
// than LEASE_RENEW_BEFORE_MS is left, and leaves a lease with more time alone. The hub's verification of intent then
// records the renewed lease, and the next run asks nothing.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { pollGoLive } from "../../src/go-live/poll.ts";
import { LEASE_RENEW_BEFORE_MS } from "../../src/go-live/subscriptions.ts";
import { leaseExpiry, recordLease } from "../../src/platforms/youtube/websub-leases.ts";
import { snowflake } from "../outbox/outbox-harness.ts";
import { YOUTUBE, fake, seedGoLiveTenant, trackStreamer, withDeps } from "./go-live-harness.ts";

interface HubRequest {
  mode: string;
  callback: string;
  topic: string;
  lease: number;
}

const hubRequestsFor = async (channelId: string) => (await fake<{ hubRequests: HubRequest[] }>(YOUTUBE, "/__control/youtube/state")).hubRequests.filter((h) => h.topic.endsWith(`channel_id=${channelId}`));

async function trackedYouTubeChannel(leaseLeftMs: number): Promise<string> {
  const channelId = `UC${snowflake().padEnd(22, "l").slice(0, 22)}`;
  const tenant = await seedGoLiveTenant("WebSub lease lab");
  await trackStreamer(tenant, { platform: "youtube", platformUserId: channelId });
  await withDeps((deps) => recordLease(deps.cache, channelId, leaseLeftMs / 1000, Date.now()));
  return channelId;
}

describe("WebSub lease renewal by the go-live cron", () => {
  it("a lease inside the renewal window → one subscribe at the hub; once the hub verifies, the lease is renewed and the next run asks nothing", async () => {
    const channelId = await trackedYouTubeChannel(LEASE_RENEW_BEFORE_MS - 3600_000);
    expect(await hubRequestsFor(channelId)).toEqual([]);

    const report = await withDeps((deps) => pollGoLive(deps));
    expect(report.youtube?.renewed).toBeGreaterThanOrEqual(1);
    const [renewal, ...more] = await hubRequestsFor(channelId);
    expect(more).toEqual([]);
    expect(renewal).toMatchObject({ mode: "subscribe", callback: `http://localhost/webhooks/youtube/${channelId}` });

    // The hub verifies the intent at the callback (W3C WebSub §5.3) with the lease it grants.
    const { url: verifyUrl } = await fake<{ url: string }>(YOUTUBE, `/__control/youtube/verify?channelId=${channelId}`);
    const verified = await exports.default.fetch(verifyUrl);
    expect(verified.status).toBe(200);
    const expiry = await withDeps((deps) => leaseExpiry(deps.cache, channelId));
    expect(expiry).toBeGreaterThan(Date.now() + LEASE_RENEW_BEFORE_MS);

    await withDeps((deps) => pollGoLive(deps));
    expect(await hubRequestsFor(channelId)).toHaveLength(1);
  });

  it("a lease with more than the renewal window left → no request to the hub", async () => {
    const channelId = await trackedYouTubeChannel(LEASE_RENEW_BEFORE_MS + 3600_000);
    await withDeps((deps) => pollGoLive(deps));
    expect(await hubRequestsFor(channelId)).toEqual([]);
  });
});
