import { describe, expect, test } from "vitest";
import { needsGuildNames, readableMentions } from "./discord-mentions.ts";

const names = {
  users: new Map([["111111111111111111", "Ada"]]),
  roles: new Map([["222222222222222222", "Support"]]),
  channels: new Map([["333333333333333333", "general"]]),
};

describe("a transcript reads like Discord shows it", () => {
  test("user, nickname, role and channel mentions become names", () => {
    expect(readableMentions("<@111111111111111111> and <@!111111111111111111> ask <@&222222222222222222> in <#333333333333333333>", names)).toBe(
      "@Ada and @Ada ask @Support in #general",
    );
  });

  test("what Discord no longer names says so instead of showing an id", () => {
    expect(readableMentions("<@999999999999999999> <@&999999999999999999> <#999999999999999999>", names)).toBe("@unknown-user @deleted-role #unknown-channel");
  });

  test("custom emoji, slash commands and timestamps", () => {
    expect(readableMentions("<:blobwave:444444444444444444> <a:party:555555555555555555> try </ticket close:666666666666666666>", names)).toBe(":blobwave: :party: try /ticket close");
    // 2026-11-26 02:40:00 UTC
    expect(readableMentions("due <t:1795660800:R>, on <t:1795660800:D> at <t:1795660800:t>", names)).toBe("due 2026-11-26 02:40 UTC, on 2026-11-26 at 02:40 UTC");
  });

  test("text without markup, and look-alikes, are left alone", () => {
    expect(readableMentions("a < b and c > d, <@not-an-id>, <https://example.com>", names)).toBe("a < b and c > d, <@not-an-id>, <https://example.com>");
  });

  test("guild names are fetched only when some message needs them", () => {
    expect(needsGuildNames(["hi <@111111111111111111>"])).toEqual({ roles: false, channelIds: [] });
    expect(needsGuildNames(["<@&222222222222222222>", "see <#333333333333333333>"])).toEqual({ roles: true, channelIds: ["333333333333333333"] });
  });
});
