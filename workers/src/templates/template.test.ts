// The template engine as a user of the dashboard meets it: placeholders filled, typos left visible, braces escaped,
// random choices, validation messages, Discord's limits and mention safety.
import { describe, expect, it } from "vitest";
import { avatarUrl, serverValues, userValues } from "./discord-values.ts";
import { DISCORD_LIMITS, clip, fitEmbed, renderEmbed, renderMessage } from "./message-template.ts";
import { neutralizeMentions, placeholdersOf, renderTemplate, validateTemplate } from "./template.ts";

const ada = { id: "80351110224678912", username: "ada", global_name: "Ada Lovelace", avatar: "abc123" };
const values = { ...userValues(ada), ...serverValues({ id: "41771983423143937", name: "Homelab" }), memberCount: 42 };

describe("renderTemplate", () => {
  it("fills known placeholders and leaves unknown ones as written", () => {
    expect(renderTemplate("Welcome {user} ({user.name}) to {server}, member #{memberCount}! {nope}", values)).toBe(
      "Welcome <@80351110224678912> (Ada Lovelace) to Homelab, member #42! {nope}",
    );
  });

  it("{user.mention} equals {user}; {user.avatar} is the CDN URL", () => {
    expect(renderTemplate("{user.mention}|{user.avatar}", values)).toBe("<@80351110224678912>|https://cdn.discordapp.com/avatars/80351110224678912/abc123.png");
  });

  it("{{ and }} are literal braces; an unclosed brace renders as written", () => {
    expect(renderTemplate("{{user}} is {user.name} {oops", values)).toBe("{user} is Ada Lovelace {oops");
    expect(renderTemplate("a { b {server}", values)).toBe("a { b Homelab");
  });

  it("{random:a|b|c} picks one choice with the given random source", () => {
    expect(renderTemplate("{random:hi|hey|yo}", values, { random: () => 0 })).toBe("hi");
    expect(renderTemplate("{random:hi|hey|yo}", values, { random: () => 0.5 })).toBe("hey");
    expect(renderTemplate("{random:hi|hey|yo}", values, { random: () => 0.9999 })).toBe("yo");
  });

  it("a null or missing value leaves the placeholder visible; whitespace inside braces is forgiven", () => {
    expect(renderTemplate("{ server } {count}", { ...values, count: null })).toBe("Homelab {count}");
  });

  it("values cannot carry a mass mention: @everyone and @here are broken by a zero-width space", () => {
    const rendered = renderTemplate("hi {user.name}", userValues({ id: "1", username: "x", global_name: "@everyone and @here" }));
    expect(rendered).toBe("hi @\u200beveryone and @\u200bhere");
    expect(rendered).not.toContain("@everyone");
    expect(neutralizeMentions("plain")).toBe("plain");
  });

  it("does not read inherited properties as values", () => {
    expect(renderTemplate("{constructor} {toString}", {})).toBe("{constructor} {toString}");
  });
});

describe("validateTemplate", () => {
  const vocabulary = { variables: ["user", "user.name", "server"], prefixes: ["option."] };

  it("accepts a clean template", () => {
    expect(validateTemplate("Hi {user}, welcome to {server}! {option.reason} {random:a|b}", vocabulary)).toEqual({ errors: [], warnings: [] });
  });

  it("reports an unclosed brace as an error with its position", () => {
    const check = validateTemplate("Hi {user", vocabulary);
    expect(check.errors).toEqual([{ index: 3, message: expect.stringContaining('Unclosed "{" at position 4') }]);
  });

  it("reports unknown variables as warnings, empty and one-choice placeholders as errors", () => {
    const check = validateTemplate("{usr} {} {random:only} {option.}", vocabulary);
    expect(check.warnings.map((w) => w.message)).toEqual([expect.stringContaining("{usr}"), expect.stringContaining("{option.}")]);
    expect(check.errors.map((e) => e.message)).toEqual([expect.stringContaining("Empty placeholder"), expect.stringContaining("at least two")]);
  });

  it("lists the placeholders a template reads", () => {
    expect(placeholdersOf("{user} {option.a} {user} {random:x|y}")).toEqual(["user", "option.a"]);
  });
});

describe("Discord limits", () => {
  it("content is cut to 2000 characters with an ellipsis", () => {
    const message = renderMessage({ content: "x".repeat(5000) }, {});
    expect(message?.content).toHaveLength(DISCORD_LIMITS.content);
    expect(message?.content?.endsWith("…")).toBe(true);
  });

  it("clip never splits a surrogate pair", () => {
    expect(clip("😀😀😀", 2)).toBe("😀…");
  });

  it("embed parts are cut to their limits and the total to 6000", () => {
    const embed = fitEmbed({ title: "t".repeat(300), description: "d".repeat(5000), footer: { text: "f".repeat(2100) } });
    expect(embed.title).toHaveLength(256);
    expect(embed.footer?.text).toHaveLength(2048);
    expect((embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0)).toBeLessThanOrEqual(6000);
  });

  it("an embed renders images only when they become http(s) URLs, and nothing when empty", () => {
    expect(renderEmbed({ title: "Hi {user.name}", thumbnailUrl: "{user.avatar}", imageUrl: "not a url", color: 0x5865f2 }, values)).toEqual({
      title: "Hi Ada Lovelace",
      thumbnail: { url: "https://cdn.discordapp.com/avatars/80351110224678912/abc123.png" },
      color: 0x5865f2,
    });
    expect(renderEmbed({ title: "", description: "  " }, values)).toBeNull();
  });

  it("allowed_mentions names only the given users, and an empty render is null", () => {
    expect(renderMessage({ content: "{user} @everyone" }, values, { mentionUsers: [ada.id] })).toEqual({
      content: "<@80351110224678912> @everyone",
      allowed_mentions: { parse: [], users: [ada.id] },
    });
    expect(renderMessage({ content: "{user}" }, values)?.allowed_mentions).toEqual({ parse: [] });
    expect(renderMessage({ content: "   " }, values)).toBeNull();
  });

  it("a user without an avatar gets Discord's default avatar for their id", () => {
    expect(avatarUrl({ id: "80351110224678912", username: "x", avatar: null })).toMatch(/^https:\/\/cdn\.discordapp\.com\/embed\/avatars\/[0-5]\.png$/);
  });
});
