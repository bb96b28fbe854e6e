// Cron work on platform connections: refresh tokens that expire within 15 minutes (every 5 minutes, so each gets
// at least two tries before it lapses), and validate every Twitch token hourly, which Twitch requires of apps that use
// user tokens (a 401 means the user disconnected the app: the connection needs re-authorization).
import { platformConnections } from "@nebula/schema";
import { and, asc, eq, inArray, isNotNull, lt } from "drizzle-orm";
import { type ConnectionDeps, type ConnectionRow, openTokens, refreshConnection } from "./connection-tokens.ts";
import { validateTwitchToken } from "./platform-oauth.ts";
import { missingCredentials } from "./platform-oauth.ts";

export const REFRESH_WITHIN_MS = 15 * 60_000;
/** Enough for a large deployment per 5-minute run; the rest waits for the next run, still inside the window. */
const BATCH = 200;
/** Token endpoints are rate limited per app: a few at a time. */
const PARALLEL = 4;

async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += PARALLEL) await Promise.all(items.slice(i, i + PARALLEL).map(work));
}

export interface RefreshRun {
  examined: number;
  refreshed: number;
  needsReauth: number;
  failed: number;
}

/** Told of each connection whose tokens a run replaced or gave up on (the chat outbox then drops its held copy). */
export type TokensChanged = (row: ConnectionRow) => Promise<void>;

export async function runConnectionRefresh(deps: ConnectionDeps, tokensChanged?: TokensChanged): Promise<RefreshRun> {
  const now = deps.now();
  const due = await deps.db
    .select({ id: platformConnections.id, platform: platformConnections.platform })
    .from(platformConnections)
    .where(
      and(
        inArray(platformConnections.status, ["connected", "expiring"]),
        isNotNull(platformConnections.expiresAt),
        lt(platformConnections.expiresAt, new Date(now.getTime() + REFRESH_WITHIN_MS)),
      ),
    )
    .orderBy(asc(platformConnections.expiresAt))
    .limit(BATCH);
  const run: RefreshRun = { examined: due.length, refreshed: 0, needsReauth: 0, failed: 0 };
  await inBatches(
    due.filter((d) => missingCredentials(deps.config, d.platform).length === 0),
    async ({ id }) => {
      try {
        const result = await refreshConnection(deps, id, { force: true });
        if (result.outcome !== "failed") await tokensChanged?.(result.row);
        if (result.outcome === "refreshed") run.refreshed++;
        else if (result.outcome === "needs_reauth") run.needsReauth++;
        else run.failed++;
      } catch (err) {
        run.failed++;
        deps.logger.warn("connection refresh crashed", { connectionId: id, error: err instanceof Error ? err.message : "unknown" });
      }
    },
  );
  return run;
}

export interface ValidateRun {
  examined: number;
  valid: number;
  needsReauth: number;
  failed: number;
}

/** Twitch: "apps that use OAuth tokens must validate them every hour" (GET /oauth2/validate). */
export async function runTwitchValidation(deps: ConnectionDeps, tokensChanged?: TokensChanged): Promise<ValidateRun> {
  const run: ValidateRun = { examined: 0, valid: 0, needsReauth: 0, failed: 0 };
  if (missingCredentials(deps.config, "twitch").length) return run;
  const rows = await deps.db
    .select()
    .from(platformConnections)
    .where(and(eq(platformConnections.platform, "twitch"), inArray(platformConnections.status, ["connected", "expiring"])))
    .orderBy(asc(platformConnections.lastValidatedAt))
    .limit(BATCH * 5);
  run.examined = rows.length;
  const ring = await deps.keyRing();
  await inBatches(rows, async (row) => {
    try {
      const verdict = await validateTwitchToken(deps.config, (await openTokens(ring, row)).accessToken);
      const now = deps.now();
      if (verdict.valid) {
        run.valid++;
        await deps.db.update(platformConnections).set({ scopes: verdict.scopes, lastValidatedAt: now }).where(eq(platformConnections.id, row.id));
        return;
      }
      // An access token can also just have run out: one refresh tells "expired" from "the user disconnected us".
      const refreshed = await refreshConnection(deps, row.id, { force: true });
      if (refreshed.outcome !== "failed") await tokensChanged?.(refreshed.row);
      if (refreshed.outcome === "refreshed") {
        run.valid++;
        await deps.db.update(platformConnections).set({ lastValidatedAt: now }).where(eq(platformConnections.id, row.id));
      } else if (refreshed.outcome === "needs_reauth") {
        run.needsReauth++;
      } else {
        run.failed++;
      }
    } catch (err) {
      run.failed++;
      deps.logger.warn("twitch token validation failed", { connectionId: row.id, error: err instanceof Error ? err.message : "unknown" });
    }
  });
  return run;
}
