// Whether an every-5-minutes cron job has anything to do, kept in the cache so an idle deployment's runs ask Postgres
// nothing: Neon scales to zero after 5 idle minutes, so one query per */5 run would keep it awake for good.
//
// Each gate caches a seed: one Postgres answer summing up the job's rows (how many streamers are tracked, the earliest
// token expiry). Code that changes those rows writes CHANGED over the seed after its change is committed; a run that
// finds CHANGED or nothing (cold, evicted) asks Postgres once and seeds again. Seeding deletes the key before its query
// and writes with set-if-absent, so a change committed meanwhile is never covered up by an older answer: its CHANGED
// either lands after the delete (the set-if-absent loses) or before it (the query already sees the row). A seed that
// overstates the work (a streamer deleted in a cascade) only costs queries until the hourly rebuild corrects it.
//
// The other jobs on the 5-minute schedule need no gate: discord.gateway talks only to its Durable Object, and
// custom-commands.usage reads two cache keys unless a command was used. Everything on "0 * * * *" (sessions.purge,
// analytics.purge, inbox.purge, connections.validate, idle-gates.rebuild) runs at the hour, with the hubs' rollups.
import { chatChannels, CONNECTION_PLATFORMS, platformConnections, trackedStreamers } from "@nebula/schema";
import { and, count, eq, inArray, isNotNull, min } from "drizzle-orm";
import type { Cache } from "../cache/cache.ts";
import { REFRESH_WITHIN_MS } from "../connections/connection-jobs.ts";
import { missingCredentials } from "../connections/platform-oauth.ts";
import type { Services } from "../http/context.ts";

const CHANGED = "changed";
const NONE = "none";
/** Outlives the hourly rebuild twice over, so in steady state only that rebuild replaces a seed. */
const SEED_TTL_SECONDS = 3 * 3600;

type GateDeps = Pick<Services, "db" | "cache" | "config" | "logger" | "now">;

interface IdleGate {
  /** One Postgres query: a count, or an epoch-ms time (null: none). */
  seed(deps: GateDeps): Promise<number | null>;
  /** A run with this seed has nothing to do. */
  idle(seed: number | null, now: number): boolean;
  /** The job's own work changes the seed (a refresh moves the next expiry), so it is seeded again after working. */
  reseedAfterWork: boolean;
}

const IDLE_GATES = {
  /** Polling covers every enabled tracked streamer: none, nothing to poll or renew. */
  "go-live.poll": {
    seed: async ({ db }) => (await db.select({ n: count() }).from(trackedStreamers).where(eq(trackedStreamers.enabled, true)))[0]?.n ?? 0,
    idle: (streamers) => streamers === 0,
    reseedAfterWork: false,
  },
  /** The earliest expiry among tokens the job could refresh (platforms configured here); idle until it is in the window. */
  "connections.refresh": {
    seed: async ({ db, config }) => {
      const platforms = CONNECTION_PLATFORMS.filter((p) => missingCredentials(config, p).length === 0);
      if (platforms.length === 0) return null;
      const [row] = await db
        .select({ next: min(platformConnections.expiresAt) })
        .from(platformConnections)
        .where(and(inArray(platformConnections.status, ["connected", "expiring"]), isNotNull(platformConnections.expiresAt), inArray(platformConnections.platform, platforms)));
      return row?.next ? new Date(row.next).getTime() : null;
    },
    idle: (nextExpiry, now) => nextExpiry === null || nextExpiry - now >= REFRESH_WITHIN_MS,
    reseedAfterWork: true,
  },
  /** Discovery looks at enabled YouTube chat-bot channels only. */
  "youtube.live-chat-discovery": {
    seed: async ({ db }) => (await db.select({ n: count() }).from(chatChannels).where(and(eq(chatChannels.platform, "youtube"), eq(chatChannels.enabled, true))))[0]?.n ?? 0,
    idle: (channels) => channels === 0,
    reseedAfterWork: false,
  },
} as const satisfies Record<string, IdleGate>;

export type IdleGateName = keyof typeof IDLE_GATES;
export const IDLE_GATE_NAMES = Object.keys(IDLE_GATES) as IdleGateName[];

export const idleGateKey = (name: IdleGateName) => `idle-gate:${name}`;

/** Called after a committed change to the rows a gate sums up: the job's next run asks Postgres again. */
export async function markIdleGateChanged(cache: Cache, name: IdleGateName): Promise<void> {
  await cache.set(idleGateKey(name), CHANGED, { ttlSeconds: SEED_TTL_SECONDS });
}

/** undefined: no usable seed (cold, evicted, or changed since). */
function decode(raw: string | null): number | null | undefined {
  if (raw === null || raw === CHANGED) return undefined;
  if (raw === NONE) return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

/** Asks Postgres for the gate's seed and caches it, unless a change was marked while it asked. */
export async function seedIdleGate(deps: GateDeps, name: IdleGateName): Promise<number | null> {
  const key = idleGateKey(name);
  await deps.cache.delete(key);
  const seed = await IDLE_GATES[name].seed(deps);
  await deps.cache.setIfAbsent(key, seed === null ? NONE : String(seed), SEED_TTL_SECONDS);
  return seed;
}

export type GatedOutcome = "idle" | "ran";

/** Runs the job's work unless its gate proves there is none; a cold gate costs one query, never a skipped run. */
export async function runGated(deps: GateDeps, name: IdleGateName, work: () => Promise<void>): Promise<GatedOutcome> {
  const gate: IdleGate = IDLE_GATES[name];
  let seed: number | null | undefined;
  try {
    seed = decode(await deps.cache.get(idleGateKey(name)));
    seed ??= await seedIdleGate(deps, name);
  } catch (err) {
    // Without a seed the job runs as if there were no gate (a Postgres outage then fails the work itself).
    deps.logger.warn("idle gate unreadable; the job runs", { gate: name, err });
    seed = undefined;
  }
  if (seed !== undefined && gate.idle(seed, deps.now().getTime())) return "idle";
  await work();
  // A failed seed leaves the key deleted: the next run asks again.
  if (gate.reseedAfterWork) await seedIdleGate(deps, name).catch((err: unknown) => deps.logger.warn("idle gate not seeded after the work", { gate: name, err }));
  return "ran";
}
