// Twitch EventSub notifications → inbox drafts. Payload shapes from dev.twitch.tv/docs/eventsub/eventsub-reference:
// channel.follow (v2), channel.subscribe, channel.subscription.message (resub), channel.subscription.gift,
// channel.cheer, channel.raid, and channel.chat.message when it mentions the broadcaster. Anything else: null.
import { ANONYMOUS, type InboxDraft, inboxDraft, num, obj, str } from "./inbox-draft.ts";

export interface TwitchMeta {
  /** Twitch-Eventsub-Message-Id: stable across Twitch's retries of one notification. */
  messageId: string;
  receivedAt: Date;
}

/** Twitch tiers are "1000", "2000", "3000"; Prime subs arrive as tier 1000 too. */
const tierName = (v: unknown) => {
  const t = str(v);
  return t === "1000" ? "Tier 1" : t === "2000" ? "Tier 2" : t === "3000" ? "Tier 3" : t;
};

function actor(e: Record<string, unknown>, prefix = "user") {
  const anonymous = e.is_anonymous === true;
  const id = anonymous ? null : str(e[`${prefix}_id`]);
  return { id, name: anonymous ? ANONYMOUS : (str(e[`${prefix}_name`]) ?? str(e[`${prefix}_login`]) ?? ANONYMOUS), avatarUrl: null };
}

/** Does the chat message mention the broadcaster? Twitch marks mentions as fragments; plain "@login" text counts too. */
export function mentionsBroadcaster(e: Record<string, unknown>): boolean {
  const broadcasterId = str(e.broadcaster_user_id);
  const message = obj(e.message);
  const fragments = Array.isArray(message.fragments) ? message.fragments.map(obj) : [];
  if (fragments.some((f) => f.type === "mention" && str(obj(f.mention).user_id) === broadcasterId)) return true;
  const login = str(e.broadcaster_user_login);
  if (!login) return false;
  return new RegExp(`(^|[^\\w])@${login.replace(/[^\w]/g, "")}(?!\\w)`, "i").test(str(message.text) ?? "");
}

export function normalizeTwitch(subscriptionType: string, event: Record<string, unknown>, meta: TwitchMeta): InboxDraft | null {
  const e = event;
  const base = { platform: "twitch" as const, sourceEventId: meta.messageId, broadcasterId: str(e.broadcaster_user_id) ?? "", occurredAt: meta.receivedAt.toISOString() };
  let draft: InboxDraft | null = null;
  switch (subscriptionType) {
    case "channel.follow":
      draft = inboxDraft({ ...base, type: "follow", actor: actor(e), occurredAt: str(e.followed_at) ?? base.occurredAt });
      break;
    case "channel.subscribe":
      // A gifted sub's recipient: the gifter's channel.subscription.gift already says it, with the count.
      if (e.is_gift === true) return null;
      draft = inboxDraft({ ...base, type: "sub", actor: actor(e), tier: tierName(e.tier) });
      break;
    case "channel.subscription.message":
      draft = inboxDraft({
        ...base,
        type: "resub",
        actor: actor(e),
        tier: tierName(e.tier),
        months: num(e.cumulative_months),
        message: str(obj(e.message).text),
      });
      break;
    case "channel.subscription.gift":
      draft = inboxDraft({ ...base, type: "gift_sub", actor: actor(e), tier: tierName(e.tier), count: num(e.total) });
      break;
    case "channel.cheer":
      draft = inboxDraft({ ...base, type: "cheer", actor: actor(e), bits: num(e.bits), message: str(e.message) });
      break;
    case "channel.raid":
      draft = inboxDraft({ ...base, broadcasterId: str(e.to_broadcaster_user_id) ?? "", type: "raid", actor: actor(e, "from_broadcaster_user"), viewers: num(e.viewers) });
      break;
    case "channel.chat.message":
      // The broadcaster's own lines never count as mentions of themselves.
      if (str(e.chatter_user_id) === base.broadcasterId || !mentionsBroadcaster(e)) return null;
      // Keyed by the line's own message_id: Twitch delivers it once per channel.chat.message subscription of the channel
      // (the broadcaster's and a chat bot's), each under its own EventSub message id, and the mention is one.
      draft = inboxDraft({ ...base, sourceEventId: str(e.message_id) ?? base.sourceEventId, type: "mention", actor: actor(e, "chatter_user"), message: str(obj(e.message).text) });
      break;
    default:
      return null;
  }
  return draft.broadcasterId ? draft : null;
}
