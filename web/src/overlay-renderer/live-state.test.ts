// What a chat box shows of the room's chat lines: the newest `maxLines`, without viewers' !commands or the chat bot's
// own lines unless the layer asks for them.
import type { ChatEvent } from "@nebula/schema/wire/overlay";
import { describe, expect, it } from "vitest";
import { type ChatLine, visibleChat } from "./live-state.ts";

let seq = 0;
const line = (user: string, text: string, bot = false): ChatLine => {
  const event: ChatEvent = { type: "chat", platform: "twitch", user, text, colour: null, ...(bot ? { bot: true } : {}), at: "2026-11-20T18:00:00.000Z" };
  return { seq: ++seq, event, receivedAt: 0 };
};
const texts = (lines: ChatLine[]) => lines.map((l) => l.event.text);

const CHAT = [line("ada", "hi all"), line("bob", "!lurk"), line("novabot", "bob is lurking", true), line("ada", " !so someone"), line("cy", "gg")];

describe("visibleChat", () => {
  it("hides !commands and the bot's lines by default (a layer saved before these settings existed too)", () => {
    expect(texts(visibleChat(CHAT, { maxLines: 10 }))).toEqual(["hi all", "gg"]);
  });
  it("shows them when the layer asks", () => {
    expect(texts(visibleChat(CHAT, { maxLines: 10, showCommands: true }))).toEqual(["hi all", "!lurk", " !so someone", "gg"]);
    expect(texts(visibleChat(CHAT, { maxLines: 10, showBotLines: true }))).toEqual(["hi all", "bob is lurking", "gg"]);
  });
  it("keeps the newest maxLines of the lines it shows", () => {
    expect(texts(visibleChat(CHAT, { maxLines: 1 }))).toEqual(["gg"]);
    expect(texts(visibleChat(CHAT, { maxLines: 3, showCommands: true, showBotLines: true }))).toEqual(["bob is lurking", " !so someone", "gg"]);
  });
});
