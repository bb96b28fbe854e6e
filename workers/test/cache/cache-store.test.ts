// What only the embedded adapter has: rows in CacheStore objects, an alarm that reclaims expired ones, and sharding.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { CACHE_SHARDS, createDurableCache, getCacheStoreByName, shardOf } from "../../src/cache/durable-cache.ts";
import { env, runPrefix } from "./adapters.ts";

const rowsFor = (name: string, key: string) =>
  runInDurableObject(getCacheStoreByName(env.CACHE_STORE, name), (_store, state) =>
    state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM entries WHERE key = ?", key).one().n,
  );

describe("CacheStore", () => {
  it("reclaims expired rows when its alarm runs, and keeps live ones", async () => {
    const cache = createDurableCache(env.CACHE_STORE);
    const expired = `${runPrefix}:sweep:expired`;
    const shard = `cache-${shardOf(expired)}`;
    // A live key on the same shard, found by walking labels until one hashes there.
    let live = "";
    for (let i = 0; shardOf(live) !== shardOf(expired) || !live; i++) live = `${runPrefix}:sweep:live-${i}`;

    await cache.set(expired, "gone soon", { ttlSeconds: 1 });
    await cache.set(live, "stays", { ttlSeconds: 3600 });
    await vi.waitFor(async () => expect(await cache.get(expired)).toBeNull(), { timeout: 15_000, interval: 100 });
    expect(await rowsFor(shard, expired)).toBe(1);

    expect(await runDurableObjectAlarm(getCacheStoreByName(env.CACHE_STORE, shard))).toBe(true);

    expect(await rowsFor(shard, expired)).toBe(0);
    expect(await cache.get(live)).toBe("stays");
  });

  it("spreads keys over every shard", () => {
    const used = new Set(Array.from({ length: 200 }, (_, i) => shardOf(`rl:login:198.51.100.${i}:29000000`)));
    expect(used.size).toBe(CACHE_SHARDS);
  });
});
