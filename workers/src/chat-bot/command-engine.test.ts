// The command engine: parsing, aliases per platform, permission levels, and replies through the shared templates.
import { describe, expect, it } from "vitest";
import { type ChatCommand, type ReplyFacts, commandTemplateWarnings, findCommand, mayUse, parseInvocation, renderReply } from "./command-engine.ts";

const cmd = (over: Partial<ChatCommand> = {}): ChatCommand => ({
  id: "ccm_1", name: "discord", aliases: ["dc"], response: "Join us, {user}!", permission: "everyone", userCooldownSeconds: 0, globalCooldownSeconds: 0, platforms: ["twitch", "kick"], enabled: true, ...over,
});
const facts = (over: Partial<ReplyFacts> = {}): ReplyFacts => ({
  user: { name: "Ada", login: "ada" }, channel: "nova", platform: "twitch", count: 7, args: [], stream: null, now: new Date("2026-01-01T12:00:00Z"), ...over,
});

describe("command engine", () => {
  it("parses !name and arguments; ignores ordinary chat", () => {
    expect(parseInvocation("!Discord now please")).toEqual({ name: "discord", args: ["now", "please"] });
    expect(parseInvocation("hello !discord")).toBeNull();
    expect(parseInvocation("!")).toBeNull();
  });
  it("finds by name or alias, only on enabled platforms and when enabled", () => {
    expect(findCommand([cmd()], "dc", "twitch")?.id).toBe("ccm_1");
    expect(findCommand([cmd()], "discord", "youtube")).toBeNull();
    expect(findCommand([cmd({ enabled: false })], "discord", "twitch")).toBeNull();
  });
  it("permission levels include the ones below", () => {
    expect(mayUse([], "everyone")).toBe(true);
    expect(mayUse(["subscriber"], "vip")).toBe(false);
    expect(mayUse(["vip"], "subscriber")).toBe(true);
    expect(mayUse(["moderator"], "vip")).toBe(true);
    expect(mayUse(["moderator"], "broadcaster")).toBe(false);
    expect(mayUse(["broadcaster"], "moderator")).toBe(true);
  });
  it("renders user, count, args, positional args, uptime, game and random", () => {
    expect(renderReply("{user} used it {count} times; args={args}; first={1}", facts({ args: ["a", "b"] }))).toBe("Ada used it 7 times; args=a b; first=a");
    const live = facts({ stream: { startedAt: new Date("2026-01-01T09:55:00Z"), game: "Celeste", title: "Any%" } });
    expect(renderReply("up {uptime} playing {game}", live)).toBe("up 2h 5m playing Celeste");
    expect(renderReply("up {uptime}", facts())).toBe("up offline");
    expect(renderReply("{random:heads|tails}", facts(), () => 0.9)).toBe("tails");
  });
  it("caps replies at 500 characters", () => expect(renderReply("x".repeat(400) + "{args}", facts({ args: ["y".repeat(300)] }))).toHaveLength(500));
  it("validation warns on unknown variables but not on {1}", () => {
    expect(commandTemplateWarnings("hi {1} {user} {bogus}").warnings).toEqual([expect.stringContaining("{bogus}")]);
    expect(commandTemplateWarnings("broken {user").errors).toHaveLength(1);
  });
});
