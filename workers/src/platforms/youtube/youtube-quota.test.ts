// The YouTube quota day: Google resets at midnight Pacific time (23- and 25-hour days around DST included), each
// call books its cost in one step, and the 80% warning fires on the one call that crosses it.
import { describe, expect, it } from "vitest";
import type { Cache } from "../../cache/cache.ts";
import { isQuotaExhausted, markQuotaExhausted, nextQuotaReset, quotaDay, quotaUsage, spendQuota } from "./youtube-quota.ts";

/** The Cache contract over a Map, enough for counters (the real adapters are tested in workers/test/cache). */
function memoryCache(): Cache {
  const values = new Map<string, string>();
  return {
    adapter: "durable-object",
    get: async (k) => values.get(k) ?? null,
    set: async (k, v) => {
      values.set(k, v);
    },
    delete: async (k) => {
      values.delete(k);
    },
    take: async (k) => {
      const v = values.get(k) ?? null;
      values.delete(k);
      return v;
    },
    incr: async (k, _ttl, by = 1) => {
      const n = Number(values.get(k) ?? 0) + by;
      values.set(k, String(n));
      return n;
    },
    setIfAbsent: async (k, v) => {
      if (values.has(k)) return false;
      values.set(k, v);
      return true;
    },
    ping: async () => true,
  };
}

describe("quota day", () => {
  it("resets at midnight Pacific, standard and daylight time", () => {
    // 2026-01-15 15:00 PST (UTC-8) → 2026-01-16 00:00 PST = 08:00Z.
    expect(new Date(nextQuotaReset(Date.parse("2026-01-15T23:00:00Z"))).toISOString()).toBe("2026-01-16T08:00:00.000Z");
    // 2026-07-15 10:00 PDT (UTC-7) → 2026-07-16 00:00 PDT = 07:00Z.
    expect(new Date(nextQuotaReset(Date.parse("2026-07-15T17:00:00Z"))).toISOString()).toBe("2026-07-16T07:00:00.000Z");
    expect(quotaDay(Date.parse("2026-07-16T06:59:59Z"))).toBe("2026-07-15");
    expect(quotaDay(Date.parse("2026-07-16T07:00:00Z"))).toBe("2026-07-16");
  });

  it("handles the 23-hour and 25-hour days", () => {
    // 2026-03-08: clocks spring forward at 02:00 PST. From 01:00 PST (09:00Z) the next midnight is 00:00 PDT (07:00Z).
    expect(new Date(nextQuotaReset(Date.parse("2026-03-08T09:00:00Z"))).toISOString()).toBe("2026-03-09T07:00:00.000Z");
    // 2026-11-01: clocks fall back at 02:00 PDT. From 12:00 PST (20:00Z) the next midnight is 00:00 PST (08:00Z).
    expect(new Date(nextQuotaReset(Date.parse("2026-11-01T20:00:00Z"))).toISOString()).toBe("2026-11-02T08:00:00.000Z");
  });
});

describe("spending units", () => {
  const now = Date.parse("2026-07-15T17:00:00Z");

  it("books each method's cost and flags only the call that crosses 80%", async () => {
    const cache = memoryCache();
    await cache.set(`youtube:quota:${quotaDay(now)}`, "7940");
    expect(await spendQuota(cache, "liveChatMessages.list", now)).toEqual({ total: 7945, crossedWarning: false });
    expect(await spendQuota(cache, "liveChatMessages.insert", now)).toEqual({ total: 7995, crossedWarning: false });
    expect(await spendQuota(cache, "liveChatMessages.list", now)).toEqual({ total: 8000, crossedWarning: true });
    expect(await spendQuota(cache, "videos.list", now)).toEqual({ total: 8001, crossedWarning: false });
    expect(await quotaUsage(cache, now)).toMatchObject({ used: 8001, limit: 10_000, warn: true, exhausted: false, resetsAt: "2026-07-16T07:00:00.000Z" });
  });

  it("refuses past the limit with a quota error; Google's own quotaExceeded closes the day too", async () => {
    const cache = memoryCache();
    await cache.set(`youtube:quota:${quotaDay(now)}`, "9990");
    const refused = await spendQuota(cache, "liveChatMessages.insert", now).catch((e: unknown) => e);
    expect(isQuotaExhausted(refused)).toBe(true);

    const other = memoryCache();
    await markQuotaExhausted(other, now);
    expect(await quotaUsage(other, now)).toMatchObject({ used: 10_000, exhausted: true });
  });
});
