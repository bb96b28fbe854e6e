// Which Kick webhook events a channel needs, and making Kick's subscriptions match without duplicates: list the app's
// subscriptions for the broadcaster, create only the missing events, report each one as subscribed or failed (Kick
// answers per event, so one refusal leaves the others standing). Go-live, the inbox and the chat bot all ask here.
import { AppError, upstreamStatus } from "../../errors/app-error.ts";
import type { KickClient, KickEventName } from "./kick-client.ts";

/** Go-live's Discord announcements: the stream started or ended. */
export const KICK_LIVE_EVENTS: readonly KickEventName[] = [{ name: "livestream.status.updated", version: 1 }];

/** What the inbox reads from a Kick channel (docs.kick.com/events/event-types). */
export const KICK_INBOX_EVENTS: readonly KickEventName[] = [
  { name: "channel.followed", version: 1 },
  { name: "channel.subscription.new", version: 1 },
  { name: "channel.subscription.renewal", version: 1 },
  { name: "channel.subscription.gifts", version: 1 },
  { name: "kicks.gifted", version: 1 },
];

/** Chat lines: the chat bot's commands and anti-spam (and the inbox's mentions). Only for chat-bot channels: busy. */
export const KICK_CHAT_EVENTS: readonly KickEventName[] = [{ name: "chat.message.sent", version: 1 }];

/** The events a Kick channel feeding the inbox needs; `chatBot` when the chat bot also answers in it. */
export function kickChannelEvents(needs: { chatBot: boolean }): KickEventName[] {
  return [...KICK_INBOX_EVENTS, ...(needs.chatBot ? KICK_CHAT_EVENTS : [])];
}

export type KickEventResult = { event: KickEventName; state: "subscribed"; subscriptionId: string; existed: boolean } | { event: KickEventName; state: "failed"; reason: string };

/** Why Kick refused, in words a streamer can act on (no credential: PlatformHttp's messages hold none). */
export function kickFailureReason(err: unknown): string {
  if (err instanceof AppError && err.code === "RATE_LIMITED") return "Kick's rate limit was reached; retry in a minute";
  if (err instanceof AppError && err.code === "MISCONFIGURED") return err.message;
  const status = upstreamStatus(err);
  if (status === 401 || status === 403) return `Kick refused the app's credentials (${status})`;
  if (status !== null) return `Kick answered ${status}`;
  return "Kick could not be reached";
}

/**
 * Makes the broadcaster's webhook subscriptions include `wanted`: one already there (same event and version) counts as
 * done, the rest are created in one call. A failed list or create reports every event it covers as failed.
 */
export async function ensureKickEvents(kick: KickClient, broadcasterUserId: number, wanted: readonly KickEventName[]): Promise<KickEventResult[]> {
  let existing: Awaited<ReturnType<KickClient["listEventSubscriptions"]>>;
  try {
    existing = await kick.listEventSubscriptions(broadcasterUserId);
  } catch (err) {
    const reason = kickFailureReason(err);
    return wanted.map((event) => ({ event, state: "failed", reason }));
  }
  const results = new Map<string, KickEventResult>();
  const missing: KickEventName[] = [];
  for (const event of wanted) {
    const found = existing.find((s) => s.event === event.name && s.version === event.version && s.method === "webhook");
    if (found) results.set(event.name, { event, state: "subscribed", subscriptionId: found.id, existed: true });
    else missing.push(event);
  }
  if (missing.length > 0) {
    try {
      const created = await kick.createEventSubscriptions(broadcasterUserId, missing);
      for (const event of missing) {
        const answer = created.find((c) => c.name === event.name);
        if (answer?.subscriptionId && !answer.error) results.set(event.name, { event, state: "subscribed", subscriptionId: answer.subscriptionId, existed: false });
        else results.set(event.name, { event, state: "failed", reason: answer?.error ? `Kick refused: ${answer.error.slice(0, 200)}` : "Kick did not create it" });
      }
    } catch (err) {
      const reason = kickFailureReason(err);
      for (const event of missing) results.set(event.name, { event, state: "failed", reason });
    }
  }
  return wanted.map((event) => results.get(event.name) as KickEventResult);
}
