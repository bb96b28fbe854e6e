// How each Twitch connection's EventSub subscriptions stand: what creating them answered (stored per type, with the
// reason in the Streams page's words) and what Twitch said later when it revoked one. The Streams page reads it.
// A revocation that a new subscription fixes (our webhook failed too often, a retired version) is re-created by the
// queue consumer, after the webhook has answered; one that needs the broadcaster (consent withdrawn, account removed)
// waits for a reconnect.
import { type api, eventSubSubscriptions, platformConnections } from "@nebula/schema";
import { and, eq, inArray, isNull, notInArray, or } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { onPlatformEvent } from "../platforms/platform-events.ts";
import { subscribeTwitchEvents } from "./connection-inbox.ts";
import { loadConnection } from "./connection-tokens.ts";

export interface EventSubSpec {
  type: string;
  version: string;
  condition: Record<string, string>;
  /** What the broadcaster must have granted (Twitch's "Authorization" line for the type). */
  scopes: readonly string[];
}

export type EventSubResult = { state: "subscribed"; twitchSubscriptionId: string | null } | { state: "failed"; reason: string; needsReconnect: boolean };

/** Why creating a subscription failed, in words a streamer can act on; a scope or consent problem needs a reconnect. */
export function creationFailure(err: unknown, spec: EventSubSpec, granted: readonly string[]): { reason: string; needsReconnect: boolean } {
  if (err instanceof AppError && err.code === "RATE_LIMITED") return { reason: "Twitch's rate limit was reached; retry in a minute", needsReconnect: false };
  const details = (err instanceof AppError ? err.details : null) as { status?: number; twitchMessage?: string } | null;
  const status = details?.status;
  const said = details?.twitchMessage ? `: ${details.twitchMessage}` : "";
  if (status === 403) {
    // Twitch: 403 "subscription missing proper authorization" when the broadcaster has not granted the type's scope.
    const missing = spec.scopes.filter((s) => !granted.includes(s));
    if (missing.length > 0) return { reason: `missing scope ${missing.join(", ")}`, needsReconnect: true };
    return { reason: `Twitch refused${said || " (403)"}`, needsReconnect: true };
  }
  if (status !== undefined && status >= 400 && status < 500) return { reason: `Twitch refused (${status})${said}`, needsReconnect: false };
  if (status !== undefined) return { reason: `Twitch answered ${status}${said}`, needsReconnect: false };
  return { reason: "Twitch could not be reached", needsReconnect: false };
}

/**
 * Stores what creating each subscription answered. With `replaceAll`, types no longer wanted (the chat bot's scopes
 * were dropped) are removed, so "N of M" counts only what this connection asks for now.
 */
export async function recordEventSubs(db: Db, connection: { id: string; tenantId: string }, results: { spec: EventSubSpec; result: EventSubResult }[], now: Date, options: { replaceAll: boolean }): Promise<void> {
  await db.transaction(async (tx) => {
    if (options.replaceAll) {
      const types = results.map((r) => r.spec.type);
      await tx.delete(eventSubSubscriptions).where(and(eq(eventSubSubscriptions.connectionId, connection.id), types.length ? notInArray(eventSubSubscriptions.type, types) : undefined));
    }
    for (const { spec, result } of results) {
      const values = {
        version: spec.version,
        state: result.state,
        twitchSubscriptionId: result.state === "subscribed" ? result.twitchSubscriptionId : null,
        failure: result.state === "failed" ? result.reason : null,
        needsReconnect: result.state === "failed" && result.needsReconnect,
        updatedAt: now,
      };
      await tx
        .insert(eventSubSubscriptions)
        .values({ tenantId: connection.tenantId, connectionId: connection.id, type: spec.type, createdAt: now, ...values })
        .onConflictDoUpdate({ target: [eventSubSubscriptions.connectionId, eventSubSubscriptions.type], set: values });
    }
  });
}

/** The types of this connection that are not subscribed now (failed or revoked). */
export async function unhealthyEventSubTypes(db: Db, connectionId: string): Promise<Set<string>> {
  const rows = await db
    .select({ type: eventSubSubscriptions.type, state: eventSubSubscriptions.state })
    .from(eventSubSubscriptions)
    .where(eq(eventSubSubscriptions.connectionId, connectionId));
  return new Set(rows.filter((r) => r.state !== "subscribed").map((r) => r.type));
}

/** Per connection id: "N of M subscribed" and what is wrong with the rest. Connections never subscribed are absent. */
export async function eventSubStatuses(db: Db, connectionIds: readonly string[]): Promise<Map<string, api.EventSubStatus>> {
  const out = new Map<string, api.EventSubStatus>();
  if (connectionIds.length === 0) return out;
  const rows = await db
    .select()
    .from(eventSubSubscriptions)
    .where(inArray(eventSubSubscriptions.connectionId, [...connectionIds]))
    .orderBy(eventSubSubscriptions.type);
  for (const r of rows) {
    const status = out.get(r.connectionId) ?? { wanted: 0, subscribed: 0, failures: [] };
    status.wanted++;
    if (r.state === "subscribed") status.subscribed++;
    else status.failures.push({ type: r.type, state: r.state, reason: r.failure ?? "unknown", needsReconnect: r.needsReconnect, since: r.updatedAt.toISOString() });
    out.set(r.connectionId, status);
  }
  return out;
}

/** Twitch's revocation statuses (EventSub "Revoking your subscription"), in the Streams page's words. */
const REVOKED: Record<string, { reason: string; needsReconnect: boolean }> = {
  authorization_revoked: { reason: "revoked by Twitch: the broadcaster withdrew this app's authorization", needsReconnect: true },
  user_removed: { reason: "revoked by Twitch: the account was removed or suspended", needsReconnect: true },
  notification_failures_exceeded: { reason: "revoked by Twitch: our webhook failed to answer too often", needsReconnect: false },
  version_removed: { reason: "revoked by Twitch: this subscription version was retired", needsReconnect: false },
};

export function revocationFailure(status: string): { reason: string; needsReconnect: boolean } {
  return REVOKED[status] ?? { reason: `revoked by Twitch (${status || "no reason given"})`, needsReconnect: false };
}

/**
 * Marks the subscription revoked on every connection of that broadcaster (each tenant that connected the channel has
 * its own row; Twitch has one subscription for the app). A row we know by another Twitch id was re-created since:
 * the revocation is about the old one and is ignored. Answers the connections whose row changed.
 */
export async function recordTwitchRevocation(db: Db, event: { subscriptionId: string; subscriptionType: string; status: string; condition: Record<string, string> }, now: Date): Promise<string[]> {
  const broadcasterId = event.condition.broadcaster_user_id ?? event.condition.to_broadcaster_user_id;
  if (!broadcasterId) return [];
  const { reason, needsReconnect } = revocationFailure(event.status);
  const connections = db
    .select({ id: platformConnections.id })
    .from(platformConnections)
    .where(and(eq(platformConnections.platform, "twitch"), eq(platformConnections.platformUserId, broadcasterId)));
  const changed = await db
    .update(eventSubSubscriptions)
    .set({ state: "revoked", failure: reason, needsReconnect, twitchSubscriptionId: null, updatedAt: now })
    .where(
      and(
        eq(eventSubSubscriptions.type, event.subscriptionType),
        inArray(eventSubSubscriptions.connectionId, connections),
        or(isNull(eventSubSubscriptions.twitchSubscriptionId), eq(eventSubSubscriptions.twitchSubscriptionId, event.subscriptionId)),
      ),
    )
    .returning({ connectionId: eventSubSubscriptions.connectionId });
  return changed.map((r) => r.connectionId);
}

/**
 * Twitch (EventSub "Revoking your subscription"): notification_failures_exceeded and version_removed are about the
 * subscription, not the broadcaster's consent, so a new one works; the others need the broadcaster.
 */
export const RECREATE_ON_REVOCATION: ReadonlySet<string> = new Set(["notification_failures_exceeded", "version_removed"]);

onPlatformEvent("twitch.revocation", async (event, ctx) => {
  const { services } = ctx;
  const changed = await recordTwitchRevocation(services.db, event, services.now());
  if (!RECREATE_ON_REVOCATION.has(event.status)) return;
  // A failure throws: the queue redelivers, the rows are still revoked, and this runs again.
  for (const connectionId of changed) {
    const connection = await loadConnection(services, connectionId);
    if (connection) await subscribeTwitchEvents(services, connection, { retry: true });
  }
});
