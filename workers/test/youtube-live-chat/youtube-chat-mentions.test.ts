// A YouTube chat line that mentions the channel becomes a mention in the streamer's inbox, as super chats do: the
// poller reads the page at the fake YouTube and hands it on; a viewer typing the channel's @handle or its name is a
// mention, an ordinary line or the owner's own is not.
import { unifiedInboxNotifications } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { withDb } from "../support/seed.ts";
import { type LiveChatLab, advanceAndPoll, broadcast, onAir, poller, seedLiveChatLab, setQuotaUsed, viewer, viewerSays } from "./live-chat-harness.ts";

const labs: LiveChatLab[] = [];

// Alarms outlive a test's storage: the broadcast ends and its poller stops (see youtube-live-chat.test.ts).
afterEach(async () => {
  for (const l of labs.splice(0)) {
    await onAir(l, "ended");
    await poller(l).stop("test over");
  }
  await setQuotaUsed(0);
});

describe("YouTube live chat: mentions", () => {
  it("a line naming the channel's @handle or display name is a mention item; plain chat and the owner's lines are not", async () => {
    const l = await seedLiveChatLab();
    labs.push(l);
    await broadcast(l, "live");
    const handle = `nova${l.channelId.slice(-6)}`;
    const owner = { channelId: l.channelId, displayName: "Nova Live" };
    const { ids } = await viewerSays(l, [
      { type: "textMessageEvent", author: viewer(21), text: `hey @${handle} what's the build?` },
      { type: "textMessageEvent", author: viewer(22), text: "just chatting here" },
      { type: "textMessageEvent", author: viewer(23), text: "nova live never misses" },
      { type: "textMessageEvent", author: owner, text: `@${handle} is me, hello` },
    ]);
    await advanceAndPoll(l, 12_345);

    const rows = await withDb((db) => db.select().from(unifiedInboxNotifications).where(and(eq(unifiedInboxNotifications.tenantId, l.tenantId), eq(unifiedInboxNotifications.type, "mention"))));
    expect(rows.map((r) => [r.sourceEventId, r.platform, r.actorName, r.message]).sort()).toEqual(
      [
        [ids[0], "youtube", viewer(21).displayName, `hey @${handle} what's the build?`],
        [ids[2], "youtube", viewer(23).displayName, "nova live never misses"],
      ].sort(),
    );
    expect(rows.every((r) => r.streamerUserId === l.members.owner.userId && r.broadcasterId === l.channelId)).toBe(true);
  });
});
