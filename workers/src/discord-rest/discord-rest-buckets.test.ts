// The client's rate-limit memory stays bounded: every interaction follow-up (POST /webhooks/{app}/{token}) is its own
// major parameter, so a bot that answers commands all day would otherwise keep one bucket per token for good.
import { describe, expect, it } from "vitest";
import { DiscordRest, MAX_TRACKED_BUCKETS } from "./discord-rest.ts";

const APP = "200000000000000003";

/** Discord's answer to a webhook execute: one request left in a bucket that resets in a second. */
function discordAnswering(headers: Record<string, string>): typeof fetch {
  return async () => new Response(JSON.stringify({ id: "1" }), { status: 200, headers: { "content-type": "application/json", ...headers } });
}

describe("DiscordRest bucket memory", () => {
  it("after many distinct interaction tokens over time, the buckets it remembers stay bounded", async () => {
    let now = 1_700_000_000_000;
    const rest = new DiscordRest({ baseUrl: "https://discord.test/api/v10", now: () => now, fetch: discordAnswering({ "x-ratelimit-remaining": "4", "x-ratelimit-reset-after": "1" }) });
    for (let i = 0; i < 3 * MAX_TRACKED_BUCKETS; i++) {
      const result = await rest.send({ method: "POST", path: `/webhooks/${APP}/interaction-token-${i}`, auth: "none", body: { content: "done" } });
      expect(result.kind).toBe("ok");
      now += 100;
    }
    expect(rest.trackedBuckets).toBeLessThanOrEqual(MAX_TRACKED_BUCKETS);
  });

  it("a bucket still in force is kept while expired ones make room: its empty bucket still holds the next send", async () => {
    let now = 1_700_000_000_000;
    let headers: Record<string, string> = { "x-ratelimit-remaining": "0", "x-ratelimit-reset-after": "3600" };
    const rest = new DiscordRest({ baseUrl: "https://discord.test/api/v10", now: () => now, fetch: async (input, init) => discordAnswering(headers)(input, init) });
    const busy = { method: "POST" as const, path: "/channels/500000000000000001/messages", auth: "none" as const, body: { content: "hi" } };
    expect((await rest.send(busy)).kind).toBe("ok");

    // Many short-lived follow-up buckets come and go (each resets within a second).
    headers = { "x-ratelimit-remaining": "4", "x-ratelimit-reset-after": "1" };
    for (let i = 0; i < 2 * MAX_TRACKED_BUCKETS; i++) {
      await rest.send({ method: "POST", path: `/webhooks/${APP}/token-${i}`, auth: "none", body: { content: "done" } });
      now += 1_000;
    }
    expect(rest.trackedBuckets).toBeLessThanOrEqual(MAX_TRACKED_BUCKETS);
    // The hour-long empty bucket learnt first was not the one forgotten.
    expect(await rest.send(busy)).toMatchObject({ kind: "retry", reason: "bucket" });
  });
});
