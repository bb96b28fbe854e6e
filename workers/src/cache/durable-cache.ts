// Cache adapter over RPC to CacheStore Durable Objects, the default when Upstash is not configured.
// Keys are spread over a fixed set of objects by hash so one object (one thread, one location) is not every request's hotspot.
import type { Cache } from "./cache.ts";
import type { CacheStore } from "./cache-store.ts";

/** Fixed forever: changing it moves keys to other shards, which forgets every counter and de-duplication mark. */
export const CACHE_SHARDS = 8;

/** FNV-1a, 32 bit: cheap, stable across isolates and deploys, and spreads short similar keys well. */
export function shardOf(key: string, shards = CACHE_SHARDS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

export function getCacheStoreByName(ns: DurableObjectNamespace<CacheStore>, name: string): DurableObjectStub<CacheStore> {
  return ns.getByName(name);
}

export function createDurableCache(ns: DurableObjectNamespace<CacheStore>): Cache {
  const store = (key: string) => getCacheStoreByName(ns, `cache-${shardOf(key)}`);
  return {
    adapter: "durable-object",
    get: (key) => store(key).get(key),
    set: (key, value, options) => store(key).set(key, value, options?.ttlSeconds),
    delete: (key) => store(key).delete(key),
    take: (key) => store(key).take(key),
    incr: async (key, ttlSeconds, by) => {
      const result = await store(key).incr(key, ttlSeconds, by);
      if (!result.ok) throw new Error(`${key}: value is not an integer or out of range`);
      return result.value;
    },
    setIfAbsent: (key, value, ttlSeconds) => store(key).setIfAbsent(key, value, ttlSeconds),
    // Shard 0 stands for all: every shard is the same class on the same platform.
    ping: () => getCacheStoreByName(ns, "cache-0").ping().catch(() => false),
  };
}
