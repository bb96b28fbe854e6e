// The one funnel every go-live source feeds (EventSub, cron polling, WebSub, Kick webhooks, Discord presence):
// observeLive / observeOffline, idempotent on the session's stream key. Postgres is the arbiter: a unique key per
// (streamer, stream key) and at most one open session per streamer, so however many sources report a stream, in
// whatever order and however often, one session row exists and one notice is enqueued (the outbox is idempotent on
// the notice id too, which covers a crash between the insert and the enqueue). The end is an edit of that notice.
import { newId, streamSessions, type trackedStreamers } from "@nebula/schema";
import { and, eq, isNull, sql } from "drizzle-orm";
import { type GoLiveDeps, outboxOf } from "./go-live-deps.ts";
import { goLiveItem, noticeId, streamEndedItem } from "./go-live-message.ts";

export type TrackedStreamer = typeof trackedStreamers.$inferSelect;
export type StreamSession = typeof streamSessions.$inferSelect;
export const GO_LIVE_SOURCES = ["eventsub", "poll", "websub", "kick", "presence", "test"] as const;
export type GoLiveSource = (typeof GO_LIVE_SOURCES)[number];

export interface LiveFacts {
  /** The platform's stream id; for presence, a derived `presence:…` key that a real id later replaces. */
  streamKey: string;
  source: GoLiveSource;
  startedAt: Date;
  title: string;
  game: string;
  url: string;
  thumbnailUrl: string | null;
  viewers: number | null;
}

export const isDerivedKey = (key: string) => key.startsWith("presence:");

export type ObserveOutcome = "notified" | "merged" | "already_ended" | "disabled";

export async function observeLive(deps: GoLiveDeps, streamer: TrackedStreamer, facts: LiveFacts): Promise<ObserveOutcome> {
  if (!streamer.enabled) return "disabled";
  for (let attempt = 0; attempt < 3; attempt++) {
    const [inserted] = await deps.db
      .insert(streamSessions)
      .values({
        id: newId("streamSession"),
        tenantId: streamer.tenantId,
        streamerId: streamer.id,
        platform: streamer.platform,
        streamKey: facts.streamKey,
        startedAt: facts.startedAt,
        title: facts.title,
        game: facts.game,
        url: facts.url,
        thumbnailUrl: facts.thumbnailUrl,
        viewers: facts.viewers,
        sources: [facts.source],
      })
      .onConflictDoNothing()
      .returning();
    if (inserted) {
      await notify(deps, streamer, inserted);
      return "notified";
    }
    // Lost to a session with this key, or to another open session of the streamer.
    const [existing] = await deps.db
      .select()
      .from(streamSessions)
      .where(and(eq(streamSessions.streamerId, streamer.id), sql`(${streamSessions.streamKey} = ${facts.streamKey} or ${streamSessions.endedAt} is null)`))
      .orderBy(sql`${streamSessions.streamKey} = ${facts.streamKey} desc`)
      .limit(1);
    if (!existing) continue; // it ended between the two statements: insert again
    if (existing.streamKey === facts.streamKey && existing.endedAt) return "already_ended"; // a late or replayed report
    if (existing.streamKey !== facts.streamKey && !isDerivedKey(existing.streamKey) && !isDerivedKey(facts.streamKey)) {
      // A new stream id while another is still open: the first ended without us hearing of it.
      await observeOffline(deps, streamer, { streamKey: existing.streamKey, endedAt: facts.startedAt, source: facts.source });
      continue;
    }
    await merge(deps, existing, facts);
    // A crash after the insert and before the enqueue left the notice unsent: send it now (same id, so never twice).
    if (!existing.notificationOutboxId) await notify(deps, streamer, existing);
    return "merged";
  }
  throw new Error(`stream session for ${streamer.id} kept changing under observeLive`);
}

/** Adds the source, refreshes title/game/viewers, and replaces a presence-derived key with the platform's id. */
async function merge(deps: GoLiveDeps, existing: StreamSession, facts: LiveFacts): Promise<void> {
  const upgrade = isDerivedKey(existing.streamKey) && !isDerivedKey(facts.streamKey);
  const fresh = !isDerivedKey(facts.streamKey);
  await deps.db
    .update(streamSessions)
    .set({
      sources: existing.sources.includes(facts.source) ? existing.sources : [...existing.sources, facts.source],
      ...(upgrade ? { streamKey: facts.streamKey, startedAt: facts.startedAt, url: facts.url } : {}),
      ...(fresh ? { title: facts.title || existing.title, game: facts.game || existing.game, viewers: facts.viewers ?? existing.viewers } : {}),
      ...(fresh && facts.thumbnailUrl ? { thumbnailUrl: facts.thumbnailUrl } : {}),
      updatedAt: deps.now(),
    })
    .where(eq(streamSessions.id, existing.id))
    .catch((err: unknown) => {
      // The real key may already belong to an ended session of this streamer: keep the derived one.
      deps.logger.warn("stream session merge skipped", { sessionId: existing.id, err });
    });
}

async function notify(deps: GoLiveDeps, streamer: TrackedStreamer, session: StreamSession): Promise<void> {
  const item = goLiveItem(streamer, session);
  await outboxOf(deps, streamer.tenantId).enqueue(item);
  await deps.db.update(streamSessions).set({ notificationOutboxId: item.id, updatedAt: deps.now() }).where(eq(streamSessions.id, session.id));
}

export interface OfflineFacts {
  /** The stream that ended; without it, whichever session of the streamer is open (Twitch stream.offline has no id). */
  streamKey?: string;
  endedAt: Date;
  vodUrl?: string | null;
  source: GoLiveSource;
  /** Only close a session that only Discord presence vouched for (presence stopped; the platform may still be live). */
  onlyDerived?: boolean;
}

export async function observeOffline(deps: GoLiveDeps, streamer: TrackedStreamer, facts: OfflineFacts): Promise<StreamSession | null> {
  const [open] = await deps.db
    .select()
    .from(streamSessions)
    .where(
      and(
        eq(streamSessions.streamerId, streamer.id),
        facts.streamKey ? sql`(${streamSessions.streamKey} = ${facts.streamKey} or (${streamSessions.endedAt} is null and ${streamSessions.streamKey} like 'presence:%'))` : isNull(streamSessions.endedAt),
        // Ended but its edit was never enqueued (a crash in between): finish the job.
        sql`(${streamSessions.endedAt} is null or ${streamSessions.endNotificationOutboxId} is null)`,
      ),
    )
    .orderBy(sql`${streamSessions.endedAt} is null desc`)
    .limit(1);
  if (!open) return null;
  if (facts.onlyDerived && !isDerivedKey(open.streamKey)) return null;
  let session = open;
  if (!open.endedAt) {
    const [ended] = await deps.db
      .update(streamSessions)
      .set({ endedAt: facts.endedAt, vodUrl: facts.vodUrl ?? open.vodUrl, updatedAt: deps.now() })
      .where(and(eq(streamSessions.id, open.id), isNull(streamSessions.endedAt)))
      .returning();
    if (!ended) return null; // another source ended it first; it sends the edit
    session = ended;
  }
  if (session.notificationOutboxId) {
    const item = streamEndedItem(streamer, session, session.notificationOutboxId);
    const outbox = outboxOf(deps, streamer.tenantId);
    // The outbox forgets delivered notices after 7 days: a longer stream's notice cannot be edited any more, so its
    // end is recorded without an edit rather than failing the source (and every other streamer in the same poll).
    if (await outbox.itemStatus(session.notificationOutboxId)) await outbox.enqueue(item);
    else deps.logger.warn("go-live notice is gone from the outbox; the stream's end is recorded without an edit", { sessionId: session.id });
    await deps.db.update(streamSessions).set({ endNotificationOutboxId: item.id, updatedAt: deps.now() }).where(eq(streamSessions.id, session.id));
  }
  return session;
}

export { noticeId };
