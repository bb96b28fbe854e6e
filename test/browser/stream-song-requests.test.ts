// Song requests as a streamer runs them in the browser: from the Streams tabs to Song requests, paste YouTube links
// (looked up on the fake YouTube), the first one plays in the embedded player, the rest wait; move one up, remove one
// after confirming, skip to the next; the OBS renderer's YouTube now-playing layer follows along with the requester, and
// the overlay editor's layer links back to the queue.
// Offline the embedded player itself stays blank; its address is what is checked. Screenshot: stream-song-requests.png.
import type { overlayWire } from "@nebula/schema";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FakeYouTube, TEST_YOUTUBE_API_KEY, startFakeYouTube } from "../fakes/youtube.ts";
import { describeInBrowser, screenshot } from "./browser.ts";
import { type OverlayStory, layerBase as base, startOverlayStory } from "./overlay-story.ts";

const DOCUMENT: overlayWire.OverlayDocument = {
  version: 1,
  canvas: { width: 1920, height: 1080 },
  layers: [{ ...base, id: "song", name: "Song request", type: "now-playing", x: 60, y: 60, w: 900, h: 160, z: 0, source: "youtube", font: "sans-serif", size: 40, colour: "#ffffff" }],
};

const VIDEOS = [
  { id: "songAAAA001", title: "Midnight Drive", channelTitle: "The Nebulas", duration: "PT3M15S" },
  { id: "songBBBB002", title: "Solar Wind", channelTitle: "Orbiters", duration: "PT4M" },
  { id: "songCCCC003", title: "Comet Tail", channelTitle: "Stardust", duration: "PT2M30S" },
];

describeInBrowser("song requests in the browser", () => {
  let youtube: FakeYouTube;
  let story: OverlayStory;
  let page: Page;

  beforeAll(async () => {
    youtube = await startFakeYouTube();
    const res = await fetch(`${youtube.origin}/__control/youtube/videos`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(VIDEOS.map((v) => ({ ...v, channelId: "UCsongs0000000000000000a", live: "none" }))),
    });
    expect(res.status).toBe(200);
    story = await startOverlayStory("song-requests", { name: "Songs", document: DOCUMENT }, { YOUTUBE_API_KEY: TEST_YOUTUBE_API_KEY, YOUTUBE_API_BASE: youtube.apiBase });
    page = story.page;
  }, 180_000);

  afterAll(async () => {
    await story?.stop();
    await youtube?.close();
  });

  it("adds songs by link, plays the first, reorders, removes after confirming and skips; the overlay follows", async () => {
    // Arrange: from the Streams tabs to an empty queue.
    await page.getByTestId("nav-streams").click();
    await page.getByTestId("streams-tab-song-requests").click();
    await page.getByTestId("song-requests-page").waitFor();
    await page.getByTestId("song-nothing-playing").waitFor();
    await page.getByTestId("song-queue-empty").waitFor();

    // Act: three links in the forms viewers paste them.
    const add = async (link: string) => {
      await page.getByTestId("song-add-link").fill(link);
      await page.getByTestId("song-add").click();
    };
    await add(`https://www.youtube.com/watch?v=${VIDEOS[0]?.id}&t=3s`);
    await page.getByTestId("song-playing-title").filter({ hasText: "Midnight Drive" }).waitFor();
    expect(await page.getByTestId("song-player").getAttribute("src")).toBe(`https://www.youtube-nocookie.com/embed/${VIDEOS[0]?.id}?autoplay=1`);
    await add(`https://youtu.be/${VIDEOS[1]?.id}`);
    await page.locator('[data-testid="song-row"][data-video="songBBBB002"]').waitFor();
    await add(`${VIDEOS[2]?.id}`);
    await page.locator('[data-testid="song-row"][data-video="songCCCC003"]').waitFor();
    const rows = page.getByTestId("song-row");
    expect(await rows.allTextContents()).toEqual([expect.stringContaining("Solar Wind"), expect.stringContaining("Comet Tail")]);

    // Comet Tail moves up to play next.
    await page.getByRole("button", { name: "Move Comet Tail up" }).click();
    await page.locator('[data-testid="song-row"]').first().filter({ hasText: "Comet Tail" }).waitFor();

    // Removing asks first.
    await page.getByRole("button", { name: "Remove Solar Wind" }).click();
    const dialog = page.getByTestId("confirm-dialog");
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("Solar Wind");
    await page.getByTestId("confirm-button").click();
    await page.locator('[data-testid="song-row"][data-video="songBBBB002"]').waitFor({ state: "detached" });
    await screenshot(page, "stream-song-requests");

    // The OBS renderer shows the song with its requester.
    const renderer = await page.context().newPage();
    const rendererErrors: string[] = [];
    renderer.on("pageerror", (err) => rendererErrors.push(err.message));
    await renderer.goto(`${story.stack.url}/overlay/${story.overlay.publicId}`);
    await renderer.getByTestId("overlay-np-title").filter({ hasText: "Midnight Drive" }).waitFor();
    expect(await renderer.getByTestId("overlay-np-artist").textContent()).toBe("The Nebulas");
    expect((await renderer.getByTestId("overlay-np-requester").textContent())?.startsWith("requested by ")).toBe(true);

    // Skip: the next song plays on the page and on the overlay.
    await page.getByTestId("song-skip").click();
    await page.getByTestId("song-playing-title").filter({ hasText: "Comet Tail" }).waitFor();
    expect(await page.getByTestId("song-player").getAttribute("src")).toBe(`https://www.youtube-nocookie.com/embed/${VIDEOS[2]?.id}?autoplay=1`);
    await renderer.getByTestId("overlay-np-title").filter({ hasText: "Comet Tail" }).waitFor();
    await page.getByTestId("song-queue-empty").waitFor();

    // In the overlay editor, the YouTube now-playing layer says what it follows and links to the queue.
    await page.goto(`${story.stack.url}/overlays/${story.overlay.id}`);
    await page.locator('[data-testid="canvas-layer"][data-layer-id="song"]').click();
    const hint = page.getByTestId("now-playing-youtube-hint");
    await hint.waitFor();
    expect(await hint.textContent()).toContain("song-request queue");
    await hint.getByRole("link", { name: "Song requests" }).click();
    await page.getByTestId("song-playing-title").filter({ hasText: "Comet Tail" }).waitFor();
    expect(story.pageErrors).toEqual([]);
    expect(rendererErrors).toEqual([]);
  }, 120_000);
});
