// How notifications reach the inbox. Verified Twitch and Kick webhooks arrive as platform events on the queue;
// generic webhooks enqueue `inbox.item`; the YouTube live-chat poller calls `inboxFromYouTubeChat` with each page.
// All three normalize, find the tenants that own the channel (cached: recipients.ts), play the alerts on their
// overlays, and store idempotently.
import { inboxWebhooks } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { type QueueContext, defineQueueKind } from "../discord-queue/queue-kind.ts";
import { onPlatformEvent } from "../platforms/platform-events.ts";
import { InboxDraft } from "./inbox-draft.ts";
import { type InboxDeps, storeInboxDrafts } from "./inbox-store.ts";
import type { ChannelNames } from "./mentions.ts";
import { normalizeKick } from "./normalize-kick.ts";
import { normalizeTwitch } from "./normalize-twitch.ts";
import { normalizeYouTubeChatItem } from "./normalize-youtube.ts";
import { type ChannelPlatform, type InboxRecipient, cachedInboxRecipients, inboxRecipients } from "./recipients.ts";

const depsOf = (ctx: QueueContext): InboxDeps => ({
  // Opened on first use: a warm alert plays before anything here needs Postgres.
  get db() {
    return ctx.services.db;
  },
  cache: ctx.services.cache,
  feeds: ctx.env.INBOX_FEED,
  rooms: ctx.env.OVERLAY_ROOM,
  logger: ctx.logger,
});

const recipientsOf = (deps: InboxDeps, platform: ChannelPlatform, broadcasterId: string) =>
  deps.cache ? cachedInboxRecipients(() => deps.db, deps.cache, platform, broadcasterId) : inboxRecipients(deps.db, platform, broadcasterId);

async function deliverChannelDrafts(deps: InboxDeps, platform: ChannelPlatform, drafts: InboxDraft[]): Promise<number> {
  let stored = 0;
  const byChannel = new Map<string, InboxDraft[]>();
  for (const d of drafts) byChannel.set(d.broadcasterId, [...(byChannel.get(d.broadcasterId) ?? []), d]);
  for (const [broadcasterId, list] of byChannel) {
    const recipients = await recipientsOf(deps, platform, broadcasterId);
    stored += (await storeInboxDrafts(deps, recipients, list)).length;
  }
  return stored;
}

// Only events that become notifications touch Postgres: stream.online, plain chat lines and the rest return null.
onPlatformEvent("twitch.notification", async (event, ctx) => {
  const draft = normalizeTwitch(event.subscriptionType, event.event, { messageId: event.id, receivedAt: ctx.services.now() });
  if (draft) await deliverChannelDrafts(depsOf(ctx), "twitch", [draft]);
});

onPlatformEvent("kick.event", async (event, ctx) => {
  const draft = normalizeKick(event.eventType, event.event, { messageId: event.id, receivedAt: ctx.services.now() });
  if (draft) await deliverChannelDrafts(depsOf(ctx), "kick", [draft]);
});

/**
 * For the YouTube live-chat poller: the items of one liveChatMessages page from `channelId`'s broadcast. Super chats,
 * stickers, memberships and (given the channel's `names`) lines mentioning the channel are stored (once each, by
 * message id); other items are ignored. `owner`: the tenant whose chat bot reads the chat gets them even when no inbox
 * source names the channel. Answers how many were new.
 */
export async function inboxFromYouTubeChat(
  deps: InboxDeps,
  channelId: string,
  items: readonly unknown[],
  receivedAt: Date,
  ownerOf?: () => Promise<InboxRecipient>,
  names: ChannelNames | null = null,
): Promise<number> {
  const drafts = items.map((item) => normalizeYouTubeChatItem(channelId, item, receivedAt, names)).filter((d): d is InboxDraft => d !== null);
  // Most pages are plain chat: the owner (a Postgres read) is only looked up when a page holds something for the inbox.
  if (drafts.length === 0) return 0;
  if (!ownerOf) return deliverChannelDrafts(deps, "youtube", drafts);
  const owner = await ownerOf();
  const recipients = await recipientsOf(deps, "youtube", channelId);
  const all = recipients.some((r) => r.tenantId === owner.tenantId) ? recipients : [...recipients, owner];
  return (await storeInboxDrafts(deps, all, drafts)).length;
}

/** A generic webhook's event, verified and de-duplicated at the edge; stored here, where Postgres may be slow. */
export const inboxItemKind = defineQueueKind({
  kind: "inbox.item",
  body: z.object({ tenantId: z.string(), webhookId: z.string(), draft: InboxDraft }),
  async handle(body, ctx) {
    const deps = depsOf(ctx);
    await storeInboxDrafts(deps, [{ tenantId: body.tenantId, streamerUserId: null }], [body.draft]);
    await deps.db.update(inboxWebhooks).set({ lastDeliveryAt: ctx.services.now() }).where(eq(inboxWebhooks.id, body.webhookId));
  },
  rememberSeconds: 2 * 86_400,
});
