import { describe, expect, it } from "vitest";
import { youtubeVideoIdOf } from "./youtube-video-id.ts";

const ID = "dQw4w9WgXcQ";

describe("youtubeVideoIdOf", () => {
  it("takes a bare video id", () => {
    expect(youtubeVideoIdOf(ID)).toBe(ID);
    expect(youtubeVideoIdOf(`  ${ID} `)).toBe(ID);
    expect(youtubeVideoIdOf("a-b_c1234XY")).toBe("a-b_c1234XY");
  });

  it.each([
    `https://www.youtube.com/watch?v=${ID}`,
    `https://youtube.com/watch?v=${ID}&t=42s`,
    `https://m.youtube.com/watch?feature=share&v=${ID}`,
    `http://www.youtube.com/watch?v=${ID}`,
    `www.youtube.com/watch?v=${ID}`,
    `youtube.com/watch?v=${ID}`,
    `https://youtu.be/${ID}`,
    `https://youtu.be/${ID}?si=AbCdEf123&t=10`,
    `youtu.be/${ID}`,
    `https://www.youtube.com/shorts/${ID}`,
    `https://youtube.com/shorts/${ID}?feature=share`,
    `https://music.youtube.com/watch?v=${ID}&list=RDAMVM${ID}`,
    `https://www.youtube.com/embed/${ID}`,
    `https://www.youtube-nocookie.com/embed/${ID}?autoplay=1`,
    `https://www.youtube.com/live/${ID}?si=x`,
    `HTTPS://WWW.YOUTUBE.COM/watch?v=${ID}`,
  ])("reads %s", (link) => {
    expect(youtubeVideoIdOf(link)).toBe(ID);
  });

  it.each([
    "",
    "never gonna give you up",
    "dQw4w9WgXc",
    "dQw4w9WgXcQQ",
    "dQw4w9WgX!Q",
    "https://www.youtube.com/watch",
    "https://www.youtube.com/watch?v=short",
    "https://www.youtube.com/@somechannel",
    "https://www.youtube.com/playlist?list=PL1234567890",
    `https://notyoutube.com/watch?v=${ID}`,
    `https://youtube.com.evil.example/watch?v=${ID}`,
    `https://vimeo.com/${ID}`,
    "https://youtu.be/",
    "javascript:alert(1)",
  ])("refuses %j", (input) => {
    expect(youtubeVideoIdOf(input)).toBeNull();
  });
});
