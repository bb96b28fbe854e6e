// Kick webhooks → inbox drafts. Payload shapes from docs.kick.com/events/event-types: channel.followed,
// channel.subscription.new / .renewal / .gifts, kicks.gifted (Kick's cheer: an amount of Kicks, the platform's own
// currency), and chat.message.sent when it mentions the broadcaster.
import { ANONYMOUS, type InboxDraft, inboxDraft, num, obj, str } from "./inbox-draft.ts";
import { mentionsChannel } from "./mentions.ts";

/** The currency of a kicks.gifted item's amount. */
export const KICKS = "KICKS";

export interface KickMeta {
  /** Kick-Event-Message-Id: the same on Kick's retries. */
  messageId: string;
  receivedAt: Date;
}

function kickUser(v: unknown) {
  const u = obj(v);
  if (u.is_anonymous === true || Object.keys(u).length === 0) return { id: null, name: ANONYMOUS, avatarUrl: null };
  const avatar = str(u.profile_picture);
  return { id: str(u.user_id), name: str(u.username) ?? ANONYMOUS, avatarUrl: avatar?.startsWith("https://") ? avatar : null };
}

/** Kick shows usernames: a mention is `@username`. */
export function kickMentionsBroadcaster(content: string, username: string | null): boolean {
  return mentionsChannel(content, { handle: username, displayName: null });
}

export function normalizeKick(eventType: string, event: Record<string, unknown>, meta: KickMeta): InboxDraft | null {
  const broadcaster = obj(event.broadcaster);
  const broadcasterId = str(broadcaster.user_id);
  if (!broadcasterId) return null;
  const base = { platform: "kick" as const, sourceEventId: meta.messageId, broadcasterId, occurredAt: str(event.created_at) ?? meta.receivedAt.toISOString() };
  switch (eventType) {
    case "channel.followed":
      return inboxDraft({ ...base, occurredAt: meta.receivedAt.toISOString(), type: "follow", actor: kickUser(event.follower) });
    case "channel.subscription.new":
      return inboxDraft({ ...base, type: "sub", actor: kickUser(event.subscriber), months: num(event.duration) });
    case "channel.subscription.renewal":
      return inboxDraft({ ...base, type: "resub", actor: kickUser(event.subscriber), months: num(event.duration) });
    case "channel.subscription.gifts": {
      const giftees = Array.isArray(event.giftees) ? event.giftees.length : null;
      return inboxDraft({ ...base, type: "gift_sub", actor: kickUser(event.gifter), count: giftees });
    }
    case "kicks.gifted": {
      // Like a cheer, counted in Kicks rather than bits: `amount` with the currency KICKS, and the gift's message.
      const gift = obj(event.gift);
      return inboxDraft({ ...base, type: "cheer", actor: kickUser(event.sender), amount: num(gift.amount), currency: KICKS, tier: str(gift.name), message: str(gift.message) });
    }
    case "chat.message.sent": {
      const sender = obj(event.sender);
      const content = str(event.content) ?? "";
      if (str(sender.user_id) === broadcasterId || !kickMentionsBroadcaster(content, str(broadcaster.username))) return null;
      return inboxDraft({ ...base, type: "mention", actor: kickUser(sender), message: content });
    }
    default:
      return null;
  }
}
