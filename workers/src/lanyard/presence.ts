// The dashboard's presence list: Lanyard presence of the tenant's members whose Discord account is linked (by signing
// in with Discord). Each account costs Lanyard at most one request per 15 s (the shared presence cache).
import { type api, memberships, users } from "@nebula/schema";
import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { type LanyardDeps, fetchPresence } from "./lanyard.ts";

/** A tenant's list is small; past this many linked members the list is cut rather than hammering Lanyard. */
export const MAX_PRESENCE_MEMBERS = 50;
/** Lanyard requests in flight at once for one list. */
const CONCURRENCY = 5;

export async function memberPresences(db: Db, deps: LanyardDeps, tenantId: string): Promise<api.MemberPresenceList> {
  const linked = await db
    .select({ userId: users.id, name: users.name, discordId: users.discordId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), isNotNull(users.discordId)))
    .orderBy(users.name)
    .limit(MAX_PRESENCE_MEMBERS);
  const [unlinked] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), isNull(users.discordId)));
  const items: api.MemberPresenceList["items"] = new Array(linked.length);
  let next = 0;
  let failures = 0;
  const worker = async () => {
    for (let i = next++; i < linked.length; i = next++) {
      const m = linked[i];
      if (!m?.discordId) continue;
      try {
        items[i] = { userId: m.userId, name: m.name, ...(await fetchPresence(deps, m.discordId)) };
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        failures += 1;
        items[i] = { userId: m.userId, name: m.name, discordId: m.discordId, monitored: false, status: null, activities: [], spotify: null };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, linked.length) }, worker));
  // Every account failing means Lanyard is down: say so instead of listing everyone as "not monitored".
  if (linked.length > 0 && failures === linked.length) throw new AppError("UPSTREAM", "Lanyard is not answering right now");
  return { items, unlinked: unlinked?.n ?? 0 };
}
