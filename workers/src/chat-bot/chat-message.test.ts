// YouTube live-chat items become the chat bot's one message shape: owner, moderator and member (sponsor) map to the
// broadcaster, moderator and subscriber levels; the display name (an @handle) stands in for a login.
import { describe, expect, it } from "vitest";
import { mayUse } from "./command-engine.ts";
import { fromYouTubeChat } from "./chat-message.ts";

const item = (author: Record<string, unknown>, text = "!hello") => ({
  kind: "youtube#liveChatMessage",
  id: "LCC.abc",
  snippet: { type: "textMessageEvent", liveChatId: "chat", authorChannelId: author.channelId, displayMessage: text, textMessageDetails: { messageText: text } },
  authorDetails: { channelId: "UCviewer", displayName: "@Viewer One", isChatOwner: false, isChatModerator: false, isChatSponsor: false, ...author },
});

describe("fromYouTubeChat", () => {
  it("maps authorDetails flags to roles", () => {
    expect(fromYouTubeChat("UCowner", item({})).user.roles).toEqual([]);
    expect(fromYouTubeChat("UCowner", item({ isChatSponsor: true })).user.roles).toEqual(["subscriber"]);
    expect(fromYouTubeChat("UCowner", item({ isChatModerator: true })).user.roles).toEqual(["moderator"]);
    const owner = fromYouTubeChat("UCowner", item({ channelId: "UCowner", isChatOwner: true }));
    expect(owner.user.roles).toEqual(["broadcaster"]);
    expect(mayUse(owner.user.roles, "moderator")).toBe(true);
  });

  it("keeps the message id, channel and text; the handle becomes the login", () => {
    expect(fromYouTubeChat("UCowner", item({}, "!so @friend"))).toMatchObject({
      platform: "youtube",
      channelId: "UCowner",
      messageId: "LCC.abc",
      text: "!so @friend",
      user: { id: "UCviewer", login: "viewerone", name: "@Viewer One" },
    });
  });
});
