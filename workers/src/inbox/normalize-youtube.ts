// YouTube liveChatMessages items → inbox drafts: super chats and super stickers, new members, membership milestones,
// gifted memberships, and text messages that mention the channel (its @handle or display name) when the poller knows
// its names. YouTube has no push for these; the live-chat poller calls this with each page's items.
// Shapes from developers.google.com/youtube/v3/live/docs/liveChatMessages.
import { ANONYMOUS, type InboxDraft, inboxDraft, num, obj, str } from "./inbox-draft.ts";
import { type ChannelNames, mentionsChannel } from "./mentions.ts";

/** YouTube amounts are micros of the currency's unit ("5000000" = 5.00). */
const fromMicros = (v: unknown) => {
  const micros = num(v);
  return micros === null ? null : Math.round(micros / 10_000) / 100;
};

/** `channelId`: the live chat owner's channel (the poller knows whose broadcast it reads); `names`: what mentions it. */
export function normalizeYouTubeChatItem(channelId: string, item: unknown, receivedAt: Date, names: ChannelNames | null = null): InboxDraft | null {
  const i = obj(item);
  const snippet = obj(i.snippet);
  const author = obj(i.authorDetails);
  const id = str(i.id);
  if (!id) return null;
  const avatar = str(author.profileImageUrl);
  const base = {
    platform: "youtube" as const,
    sourceEventId: id,
    broadcasterId: channelId,
    actor: { id: str(author.channelId) ?? str(snippet.authorChannelId), name: str(author.displayName) ?? ANONYMOUS, avatarUrl: avatar?.startsWith("https://") ? avatar : null },
    occurredAt: str(snippet.publishedAt) ?? receivedAt.toISOString(),
  };
  switch (snippet.type) {
    case "superChatEvent": {
      const d = obj(snippet.superChatDetails);
      return inboxDraft({ ...base, type: "super_chat", amount: fromMicros(d.amountMicros), currency: str(d.currency), tier: str(d.tier), message: str(d.userComment) });
    }
    case "superStickerEvent": {
      const d = obj(snippet.superStickerDetails);
      const sticker = str(obj(d.superStickerMetadata).altText);
      return inboxDraft({ ...base, type: "super_chat", amount: fromMicros(d.amountMicros), currency: str(d.currency), tier: str(d.tier), message: sticker ? `Sticker: ${sticker}` : null });
    }
    case "newSponsorEvent": {
      const d = obj(snippet.newSponsorDetails);
      return inboxDraft({ ...base, type: "membership", tier: str(d.memberLevelName), months: 1 });
    }
    case "memberMilestoneChatEvent": {
      const d = obj(snippet.memberMilestoneChatDetails);
      return inboxDraft({ ...base, type: "membership", tier: str(d.memberLevelName), months: num(d.memberMonth), message: str(d.userComment) });
    }
    case "membershipGiftingEvent": {
      const d = obj(snippet.membershipGiftingDetails);
      return inboxDraft({ ...base, type: "gift_sub", tier: str(d.giftMembershipsLevelName), count: num(d.giftMembershipsCount) });
    }
    case "textMessageEvent": {
      // The owner's own lines (and the bot's, when it speaks as the owner) are no mention.
      if (!names || author.isChatOwner === true || base.actor.id === channelId) return null;
      const text = str(obj(snippet.textMessageDetails).messageText) ?? str(snippet.displayMessage) ?? "";
      return mentionsChannel(text, names) ? inboxDraft({ ...base, type: "mention", message: text }) : null;
    }
    default:
      return null;
  }
}
