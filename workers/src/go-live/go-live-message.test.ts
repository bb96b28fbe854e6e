// The go-live notice as Discord will show it: template variables, the role ping and who may be pinged, the end edit.
import { describe, expect, it } from "vitest";
import { type NoticeSession, type NoticeStreamer, goLiveItem, renderTemplate, streamEndedItem } from "./go-live-message.ts";

const streamer: NoticeStreamer = { platform: "twitch", login: "nova", displayName: "Nova", channelId: "123456789", pingRoleId: "555555", template: "{streamer} plays {game} for {viewers}: {title} on {platform} {url} {unknown}", embed: true };
const session: NoticeSession = { id: "sss_a", title: "Speedrun @everyone", game: "Celeste", url: "https://www.twitch.tv/nova", thumbnailUrl: "https://x.example/t.jpg", viewers: 12, startedAt: new Date("2026-01-01T10:00:00Z") };

describe("go-live notices", () => {
  it("fills every variable and leaves unknown braces as written", () => {
    expect(renderTemplate(streamer.template, streamer, session)).toBe("Nova plays Celeste for 12: Speedrun @everyone on Twitch https://www.twitch.tv/nova {unknown}");
  });

  it("pings the role and nobody else, whatever the title says", () => {
    const item = goLiveItem(streamer, session);
    expect(item.id).toBe("golive:sss_a");
    expect(item.message.content?.startsWith("<@&555555> ")).toBe(true);
    expect(item.message.allowed_mentions).toEqual({ parse: [], roles: ["555555"] });
    expect(item.message.embeds?.[0]).toMatchObject({ title: "Speedrun @everyone", image: { url: "https://x.example/t.jpg" }, author: { name: "Nova" } });
    const plain = goLiveItem({ ...streamer, pingRoleId: null, embed: false }, session).message;
    expect(plain.allowed_mentions).toEqual({ parse: [] });
    expect(plain.embeds).toBeUndefined();
  });

  it("with @everyone allowed, the template's @everyone, @here and {everyone} ping; a title saying @everyone still does not", () => {
    const loud = { ...streamer, pingRoleId: null, allowEveryone: true, template: "{everyone} {streamer} is live: {title} (@here too)" };
    const item = goLiveItem(loud, session).message;
    expect(item.allowed_mentions).toEqual({ parse: ["everyone"] });
    expect(item.content).toBe("@everyone Nova is live: Speedrun @\u200beveryone (@here too)");
    // Off (the default): {everyone} is empty and nothing parses.
    const quiet = goLiveItem({ ...loud, allowEveryone: false }, session).message;
    expect(quiet.allowed_mentions).toEqual({ parse: [] });
    expect(quiet.content).toBe(" Nova is live: Speedrun @everyone (@here too)");
  });

  it("edits the notice with the duration and the VOD when the stream ends", () => {
    const ended = streamEndedItem(streamer, { ...session, endedAt: new Date("2026-01-01T12:05:00Z"), vodUrl: "https://www.twitch.tv/videos/1" }, "golive:sss_a");
    expect(ended).toMatchObject({ id: "golive-end:sss_a", edit: { of: "golive:sss_a" }, message: { content: "Nova was live on Twitch for 2h 5m.\nVOD: https://www.twitch.tv/videos/1", allowed_mentions: { parse: [] } } });
    expect(ended.message.embeds?.[0]?.fields).toContainEqual({ name: "Duration", value: "2h 5m", inline: true });
  });

  it("keeps content within Discord's 2000 characters", () => {
    const long = goLiveItem({ ...streamer, template: "{title}" }, { ...session, title: "x".repeat(3000) });
    expect(long.message.content?.length).toBe(2000);
  });
});
