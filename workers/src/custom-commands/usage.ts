// Usage counts without Postgres on the interaction path: each use adds 1 to a cache counter, and the command's first
// use since the last flush appends its id to a numbered dirty list. The `custom-commands.usage` cron job walks the
// list, takes each counter (GETDEL, so concurrent flushes never count a use twice), adds the sums to Postgres in one
// statement, and rewrites the touched guilds' cache entries. An idle deployment reads two cache keys and no Postgres.
//
// Order matters: a use increments, then marks; a flush unmarks, then takes. Whatever interleaving, every increment
// is either taken by this flush or marked again for the next one.
import { customCommands } from "@nebula/schema";
import { inArray, sql } from "drizzle-orm";
import type { Cache } from "../cache/cache.ts";
import type { Db } from "../db/client.ts";
import type { Logger } from "../logging/logger.ts";
import { warmGuildCommands } from "./command-cache.ts";

/** Counters outlive a long cron outage. */
const COUNTER_TTL_SECONDS = 30 * 24 * 3600;
const SEQ_TTL_SECONDS = 365 * 24 * 3600;
/** Dirty-list slots one flush walks: each costs a few cache calls (Workers cap subrequests per invocation). */
export const FLUSH_SLOTS_PER_RUN = 40;

const usesKey = (commandId: string) => `ccmd:uses:${commandId}`;
const markKey = (commandId: string) => `ccmd:dirty-mark:${commandId}`;
const slotKey = (n: number) => `ccmd:dirty:${n}`;
const SEQ_KEY = "ccmd:dirty-seq";
const FLUSHED_KEY = "ccmd:dirty-flushed";

/** Counts one use; returns the uses counted in the cache since the last flush (for {count}). */
export async function countUse(cache: Cache, commandId: string): Promise<number> {
  const pending = await cache.incr(usesKey(commandId), COUNTER_TTL_SECONDS);
  if (await cache.setIfAbsent(markKey(commandId), "1", COUNTER_TTL_SECONDS)) {
    const slot = await cache.incr(SEQ_KEY, SEQ_TTL_SECONDS);
    await cache.set(slotKey(slot), commandId, { ttlSeconds: COUNTER_TTL_SECONDS });
  }
  return pending;
}

/** Uses counted in the cache and not yet in Postgres, per command (for the dashboard's figures). */
export async function pendingUses(cache: Cache, commandIds: readonly string[]): Promise<Map<string, number>> {
  const values = await Promise.all(commandIds.map((id) => cache.get(usesKey(id))));
  return new Map(commandIds.map((id, i) => [id, Number(values[i] ?? 0) || 0]));
}

/** Moves counted uses into Postgres; returns how many uses were written. */
export async function flushCustomCommandUsage(db: Db, cache: Cache, now: Date, logger?: Logger, slots = FLUSH_SLOTS_PER_RUN): Promise<number> {
  const seq = Number((await cache.get(SEQ_KEY)) ?? 0);
  let flushed = Number((await cache.get(FLUSHED_KEY)) ?? 0);
  // The sequence expired and started again.
  if (seq < flushed) flushed = 0;
  if (seq === flushed) return 0;
  const upto = Math.min(seq, flushed + slots);
  const ids = new Set<string>();
  for (let n = flushed + 1; n <= upto; n++) {
    const id = await cache.take(slotKey(n));
    if (id) ids.add(id);
  }
  const counts = new Map<string, number>();
  for (const id of ids) {
    await cache.delete(markKey(id));
    const taken = Number((await cache.take(usesKey(id))) ?? 0);
    if (taken > 0) counts.set(id, taken);
  }
  if (counts.size > 0) {
    const cases = sql.join(
      [...counts].map(([id, n]) => sql`WHEN ${id} THEN ${n}`),
      sql` `,
    );
    const touched = await db
      .update(customCommands)
      .set({ usageCount: sql`${customCommands.usageCount} + (CASE ${customCommands.id} ${cases} ELSE 0 END)`, lastUsedAt: now })
      .where(inArray(customCommands.id, [...counts.keys()]))
      .returning({ guildId: customCommands.guildId });
    // {count} reads the cached snapshot plus the cache counter, which was just reset: refresh the snapshot.
    for (const guildId of new Set(touched.map((t) => t.guildId))) await warmGuildCommands(db, cache, guildId);
  }
  await cache.set(FLUSHED_KEY, String(upto));
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  logger?.info("custom command usage flushed", { commands: counts.size, uses: total, slots: upto - flushed });
  return total;
}

/** The `custom-commands.usage` cron job: flushes with the job's own services (Postgres opens only when needed). */
export async function runCustomCommandUsageFlush(services: { db: Db; cache: Cache; now: () => Date }, logger: Logger): Promise<void> {
  let total = 0;
  // A busy spell can leave more slots than one pass walks; a few passes per run, bounded.
  for (let pass = 0; pass < 3; pass++) {
    const written = await flushCustomCommandUsage(services.db, services.cache, services.now(), logger);
    total += written;
    if (written === 0) break;
  }
  if (total > 0) logger.info("custom command usage written", { uses: total });
}
