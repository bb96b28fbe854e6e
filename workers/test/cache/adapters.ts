// The cache adapters every cache suite runs against: the embedded CacheStore objects and Upstash (through the
// REST bridge in front of the real Redis, started by test/global-setup.ts).
import { env as bindings } from "cloudflare:workers";
import { inject } from "vitest";
import type { Cache } from "../../src/cache/cache.ts";
import { createDurableCache } from "../../src/cache/durable-cache.ts";
import { createUpstashCache } from "../../src/cache/upstash-cache.ts";
import type { Env } from "../../src/env.ts";

// Provided by test/global-setup.ts, which this project's tsconfig does not include.
declare module "vitest" {
  export interface ProvidedContext {
    upstashUrl: string;
    upstashToken: string;
  }
}

/** The Worker's bindings under test, typed as the Worker sees them. */
export const env = bindings as Env;

export const cacheAdapters: { adapter: Cache["adapter"]; create: () => Cache }[] = [
  { adapter: "durable-object", create: () => createDurableCache(env.CACHE_STORE) },
  { adapter: "upstash", create: () => createUpstashCache({ url: inject("upstashUrl"), token: inject("upstashToken") }) },
];

/** Redis is shared by every run on the machine: each run writes under its own prefix. */
export const runPrefix = `test:${crypto.randomUUID()}`;
