// Each anti-spam rule on messages a chat really sees, with the false positives other bots are known for.
import { api } from "@nebula/schema";
import { describe, expect, it } from "vitest";
import { type ChatterState, type RecentLine, checkMessage, normalizeForRepeat, rememberLine, similarity, stepForStrike } from "./anti-spam.ts";
import { type ChatFragment, type ChatMessage, fromKickChat, fromTwitchChat, kickFragments } from "./chat-message.ts";

const NOW = 1_800_000_000_000;
const fresh: ChatterState = { recent: [], permitted: false, now: NOW };

function msg(fragments: (string | { emote: string })[], roles: ChatMessage["user"]["roles"] = []): ChatMessage {
  const parts: ChatFragment[] = fragments.map((f) => (typeof f === "string" ? { type: "text", text: f } : { type: "emote", text: f.emote }));
  return { platform: "twitch", channelId: "1", messageId: "m1", user: { id: "9", login: "viewer", name: "Viewer", roles }, text: parts.map((p) => p.text).join(""), fragments: parts };
}
const say = (text: string, roles: ChatMessage["user"]["roles"] = []) => msg([text], roles);
const settings = (change: (s: api.AntiSpamSettings) => void = () => {}) => {
  const s = api.defaultAntiSpamSettings();
  change(s);
  return s;
};
const rule = (m: ChatMessage, s = settings(), state = fresh) => checkMessage(m, s, state)?.rule ?? null;

describe("caps", () => {
  it("an all-caps sentence is shouting", () => expect(rule(say("WHY IS NOBODY LISTENING TO ME"))).toBe("caps"));
  it("emotes are not letters: KEKW LUL OMEGALUL does not trip caps", () => {
    expect(rule(msg([{ emote: "KEKW" }, " ", { emote: "LUL" }, " ", { emote: "OMEGALUL" }]))).toBeNull();
    expect(rule(msg(["that was great ", { emote: "KEKW" }, " ", { emote: "OMEGALUL" }, " ", { emote: "PogChamp" }]))).toBeNull();
  });
  it("Kick's inline emote tags are emotes too", () => {
    const m = fromKickChat({ message_id: "k1", broadcaster: { user_id: 1 }, sender: { user_id: 2, username: "fan" }, content: "[emote:37226:KEKW] [emote:37227:LULW] [emote:1:OMEGALUL]" });
    expect(m.fragments.filter((f) => f.type === "emote").map((f) => f.text)).toEqual(["KEKW", "LULW", "OMEGALUL"]);
    expect(rule(m)).toBeNull();
  });
  it("Twitch fragments mark emotes", () => {
    const m = fromTwitchChat({
      broadcaster_user_id: "1", chatter_user_id: "2", chatter_user_login: "fan", chatter_user_name: "Fan", message_id: "t1", badges: [],
      message: { text: "KEKW LUL OMEGALUL", fragments: [{ type: "emote", text: "KEKW" }, { type: "text", text: " " }, { type: "emote", text: "LUL" }, { type: "text", text: " " }, { type: "emote", text: "OMEGALUL" }] },
    });
    expect(rule(m)).toBeNull();
  });
  it("short messages are below the minimum: GG WP", () => expect(rule(say("GG WP"))).toBeNull());
  it("non-Latin scripts without case never count", () => expect(rule(say("こんにちは皆さん元気ですか今日も配信ありがとう"))).toBeNull());
});

describe("links", () => {
  it("a link is refused, a link on the allowlist (and its subdomains) is fine", () => {
    expect(rule(say("free followers at bigfollows.com/x"))).toBe("links");
    expect(rule(say("https://sketchy.example.org/path"))).toBe("links");
    const s = settings((x) => {
      x.links.allowedDomains = ["twitch.tv"];
    });
    expect(rule(say("look https://clips.twitch.tv/abc"), s)).toBeNull();
    expect(rule(say("look www.twitch.tv/directory"), s)).toBeNull();
    expect(rule(say("look twitch.tv.evil.com"), s)).toBe("links");
  });
  it("abbreviations and dots in sentences are not links", () => {
    expect(rule(say("e.g. this works fine.at least i think so"))).toBeNull();
    expect(rule(say("ok...so what"))).toBeNull();
  });
  it("a running !permit lets one link through", () => expect(rule(say("my clip: https://clips.example.net/x"), settings(), { ...fresh, permitted: true })).toBeNull());
});

describe("repeats and near-duplicates", () => {
  const history = (texts: string[], ago = 5000): RecentLine[] => texts.map((t) => ({ text: normalizeForRepeat(t), at: NOW - ago }));
  it("the third copy of a line inside the window is a repeat", () => {
    expect(rule(say("buy my course"), settings(), { ...fresh, recent: history(["buy my course"]) })).toBeNull();
    expect(rule(say("buy my course"), settings(), { ...fresh, recent: history(["buy my course", "buy my course"]) })).toBe("repeat");
  });
  it("near-duplicates count: case, punctuation, stretched letters and a changed character", () => {
    expect(similarity(normalizeForRepeat("Follow me at my channel!!!"), normalizeForRepeat("follow me at my channell"))).toBeGreaterThan(0.85);
    expect(rule(say("FOLLOW me at my channel!!"), settings(), { ...fresh, recent: history(["follow me at my channel", "follow me at my chanel"]) })).toBe("repeat");
  });
  it("lines older than the window are forgotten", () => {
    expect(rule(say("hello"), settings(), { ...fresh, recent: history(["hello", "hello"], 61_000) })).toBeNull();
    const kept = rememberLine(history(["a"], 61_000), { text: "b", at: NOW }, 60_000);
    expect(kept.map((l) => l.text)).toEqual(["b"]);
  });
  it("different lines are not repeats", () => expect(rule(say("what game is next"), settings(), { ...fresh, recent: history(["hello there", "good stream today"]) })).toBeNull());
});

describe("symbols, emotes, zalgo, length", () => {
  it("a wall of symbols", () => expect(rule(say("!!!!!!!!!!!!????????$$$$$$$$"))).toBe("symbols"));
  it("an emote flood, counted over Twitch emotes and emoji", () => {
    expect(rule(msg(Array.from({ length: 16 }, () => ({ emote: "Kappa" }))))).toBe("emotes");
    expect(rule(say("🔥".repeat(16)), settings((s) => {
      s.symbols.enabled = false;
    }))).toBe("emotes");
    expect(rule(msg(Array.from({ length: 5 }, () => ({ emote: "Kappa" }))))).toBeNull();
  });
  it("zalgo is stacked combining marks; accents and Vietnamese are not", () => {
    expect(rule(say("h̸̡̢̛̛e̶̢̛͓l̷̨̛͔l̴̡̛o̵̢̧̲"))).toBe("zalgo");
    expect(rule(say("Tiếng Việt rất hay, café crème"))).toBeNull();
    expect(rule(say("नमस्ते दोस्तों"))).toBeNull();
  });
  it("length only when enabled", () => {
    const long = "word ".repeat(100);
    expect(rule(say(long))).toBeNull();
    expect(rule(say(long), settings((s) => {
      s.length.enabled = true;
      s.length.maxCharacters = 200;
    }))).toBe("length");
  });
});

describe("banned words and patterns", () => {
  const s = settings((x) => {
    x.bannedWords.words = ["badword", "two words"];
    x.bannedWords.patterns = ["fr[e3]{2}\\s?v[i1]d"];
  });
  it("whole words, any case, accents and punctuation between ignored", () => {
    expect(rule(say("you BadWord"), s)).toBe("banned_words");
    expect(rule(say("this is Two   Words!"), s)).toBe("banned_words");
    expect(rule(say("badwordless is fine"), s)).toBeNull();
  });
  it("patterns", () => {
    expect(rule(say("get FR33 V1D now"), s)).toBe("banned_words");
    expect(rule(say("free time"), s)).toBeNull();
  });
  it("catastrophic patterns are refused when saved", () => {
    for (const bad of ["(a+)+$", "(a|aa)*b", "(\\w+\\s?)*$", "\\w*\\w*\\w*x", "(.*a){12}", "(?=a)b", "(a)\\1", "x".repeat(101), "a+b+c+d+e+"]) {
      expect(api.safePatternProblem(bad), bad).not.toBeNull();
    }
    for (const good of ["fr[e3]{2}\\s?v[i1]d", "b+a+d", "^!buy\\b", "(?:free|cheap) followers", "discord\\.gg/\\w+"]) {
      expect(api.safePatternProblem(good), good).toBeNull();
    }
  });
});

describe("exemptions and escalation", () => {
  it("broadcaster and moderators are exempt by default; VIPs when chosen", () => {
    expect(rule(say("HELLO EVERYONE HOW ARE YOU", ["broadcaster"]))).toBeNull();
    expect(rule(say("HELLO EVERYONE HOW ARE YOU", ["moderator"]))).toBeNull();
    expect(rule(say("HELLO EVERYONE HOW ARE YOU", ["vip"]))).toBe("caps");
    expect(rule(say("HELLO EVERYONE HOW ARE YOU", ["vip"]), settings((s) => {
      s.exemptRoles = ["vip"];
    }))).toBeNull();
  });
  it("a disabled filter or disabled anti-spam lets everything through", () => {
    expect(rule(say("HELLO EVERYONE HOW ARE YOU"), settings((s) => {
      s.enabled = false;
    }))).toBeNull();
  });
  it("strikes walk the ladder: warn, 60 s, 600 s, then stay at the last step", () => {
    const steps = api.defaultAntiSpamSettings().escalation;
    expect([1, 2, 3, 4].map((n) => stepForStrike(steps, n))).toEqual([{ action: "warn" }, { action: "timeout", seconds: 60 }, { action: "timeout", seconds: 600 }, { action: "timeout", seconds: 600 }]);
  });
});

it("kickFragments keeps text around emotes", () => {
  expect(kickFragments("hi [emote:1:KEKW] there")).toEqual([{ type: "text", text: "hi " }, { type: "emote", text: "KEKW" }, { type: "text", text: " there" }]);
});
