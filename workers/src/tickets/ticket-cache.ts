// What the hot paths know about tickets without Postgres: each category's form (a panel click must answer with the
// modal within Discord's 3 s, and Neon may be asleep) and which threads are open tickets (every message in the guild
// arrives as a gateway event; only those in ticket threads may touch Postgres). Written when config is saved and
// when tickets open or close; a miss falls back to Postgres in run paths only.
import { z } from "zod";
import type { Cache } from "../cache/cache.ts";

/** Kept long: config changes rewrite it, and a miss only costs one extra click (the run path re-warms it). */
const CATEGORY_TTL_SECONDS = 30 * 24 * 3600;
/** Tickets auto-closing after at most 30 days; a thread entry outliving its ticket only costs one indexed query. */
const THREAD_TTL_SECONDS = 60 * 24 * 3600;

export const CachedCategory = z.object({
  id: z.string(),
  guildId: z.string(),
  name: z.string(),
  questions: z.array(
    z.object({
      label: z.string(),
      style: z.enum(["short", "paragraph"]),
      required: z.boolean(),
      placeholder: z.string().optional(),
      maxLength: z.number().int().optional(),
    }),
  ),
});
export type CachedCategory = z.infer<typeof CachedCategory>;

const categoryKey = (id: string) => `tickets:category:${id}`;
const threadKey = (threadId: string) => `tickets:thread:${threadId}`;

export async function cacheCategory(cache: Cache, category: CachedCategory): Promise<void> {
  await cache.set(categoryKey(category.id), JSON.stringify(CachedCategory.parse(category)), { ttlSeconds: CATEGORY_TTL_SECONDS });
}

export async function forgetCategory(cache: Cache, id: string): Promise<void> {
  await cache.delete(categoryKey(id));
}

export async function cachedCategory(cache: Cache, id: string): Promise<CachedCategory | null> {
  const raw = await cache.get(categoryKey(id));
  if (!raw) return null;
  const parsed = CachedCategory.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : null;
}

export async function rememberTicketThread(cache: Cache, threadId: string, ticketId: string): Promise<void> {
  await cache.set(threadKey(threadId), ticketId, { ttlSeconds: THREAD_TTL_SECONDS });
}

export async function forgetTicketThread(cache: Cache, threadId: string): Promise<void> {
  await cache.delete(threadKey(threadId));
}

export function ticketOfThread(cache: Cache, threadId: string): Promise<string | null> {
  return cache.get(threadKey(threadId));
}
