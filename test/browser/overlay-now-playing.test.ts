// The now-playing layer and a goal bar in a real browser: the streamer opens the overlay editor, presses "Connect
// Spotify" on the now-playing layer, approves on the fake Spotify's consent screen and lands back in the editor;
// the OBS renderer page then shows the track the fake plays (title, artist, album art, progress) and follows a track
// change; a follow posted to the inbox's webhook moves the follower goal on the open renderer.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { api, overlayWire } from "@nebula/schema";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FakeSpotify, TEST_SPOTIFY_CLIENT_ID, TEST_SPOTIFY_CLIENT_SECRET, startFakeSpotify } from "../fakes/spotify.ts";
import { describeInBrowser, screenshot } from "./browser.ts";
import { type OverlayStory, layerBase as base, startOverlayStory } from "./overlay-story.ts";

const SCREENSHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "screenshots");
const ACCOUNT = "djnebula";

const DOCUMENT: overlayWire.OverlayDocument = {
  version: 1,
  canvas: { width: 1920, height: 1080 },
  layers: [
    { ...base, id: "np", name: "Now playing", type: "now-playing", x: 60, y: 60, w: 760, h: 140, z: 0, source: "spotify", font: "sans-serif", size: 40, colour: "#ffffff" },
    { ...base, id: "goal", name: "Follower goal", type: "goal-bar", x: 560, y: 960, w: 800, h: 70, z: 1, label: "Follower goal", current: 0, target: 10, metric: "follows", since: null, barColour: "#22c55e", backgroundColour: "#000000aa", textColour: "#ffffff" },
  ],
};

describeInBrowser("now playing and goal bars in the browser", () => {
  let spotify: FakeSpotify;
  let story: OverlayStory;
  let stack: OverlayStory["stack"];
  let page: Page;
  let pageErrors: string[];
  let tenantId: string;
  let overlay: api.OverlayView;

  const apiCall = <T>(method: string, apiPath: string, body?: unknown) => story.apiCall<T>(method, apiPath, body);

  const play = async (name: string, album: string) => {
    const track = { id: name.replace(/\W/g, "").slice(0, 22), name, artists: ["The Nebulas"], album, durationMs: 215_000 };
    const res = await fetch(`${spotify.origin}/__control/spotify/playback`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ accountId: ACCOUNT, track, progressMs: 61_000 }) });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    spotify = await startFakeSpotify();
    story = await startOverlayStory(
      "now-playing",
      { name: "Music scene", document: DOCUMENT },
      { SPOTIFY_ACCOUNTS_BASE: spotify.origin, SPOTIFY_API_BASE: spotify.origin, SPOTIFY_CLIENT_ID: TEST_SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET: TEST_SPOTIFY_CLIENT_SECRET },
    );
    ({ stack, page, pageErrors, tenantId, overlay } = story);
  }, 180_000);

  afterAll(async () => {
    await story?.stop();
    await spotify?.close();
  });

  it("connects Spotify from the editor, shows the playing track on the renderer, and moves the goal on a follow", async () => {
    // The editor: the now-playing layer offers to connect Spotify.
    await page.goto(`${stack.url}/overlays/${overlay.id}`);
    const npLayer = page.locator('[data-testid="canvas-layer"][data-layer-id="np"]');
    await npLayer.click();
    await page.getByTestId("spotify-connect").click();

    // Spotify's consent screen (the fake) asks for the two playback scopes.
    await page.getByRole("button", { name: "Authorize" }).waitFor();
    expect(new URL(page.url()).origin).toBe(spotify.origin);
    expect(await page.getByTestId("scopes").textContent()).toBe("user-read-currently-playing user-read-playback-state");
    await page.getByLabel("Account id").fill(ACCOUNT);
    await page.getByLabel("Display name").fill("DJ Nebula");
    await page.getByRole("button", { name: "Authorize" }).click();

    // Back in the editor, connected; the layer is pointed at this account and the editor saves it.
    await page.waitForURL(/\/overlays\/ovl_[0-9a-z]+\?connected=spotify$/);
    await npLayer.click();
    await page.getByTestId("spotify-connected").filter({ hasText: "DJ Nebula" }).waitFor();
    await page.getByTestId("spotify-use-mine").click();
    await page.getByTestId("spotify-connected").filter({ hasText: "This layer shows your account." }).waitFor();
    await page.locator('[data-testid="save-status"][data-state="saved"]').waitFor({ timeout: 15_000 });
    await screenshot(page, "overlay-now-playing-editor");

    // The OBS renderer shows what plays, with its cover and progress.
    await play("Midnight Drive", "Neon Roads");
    const renderer = await page.context().newPage();
    const rendererErrors: string[] = [];
    renderer.on("pageerror", (err) => rendererErrors.push(err.message));
    await renderer.setViewportSize({ width: 1280, height: 720 });
    await renderer.goto(`${stack.url}/overlay/${overlay.publicId}`);
    await renderer.getByTestId("overlay-np-title").filter({ hasText: "Midnight Drive" }).waitFor();
    expect(await renderer.getByTestId("overlay-np-artist").textContent()).toBe("The Nebulas · Neon Roads");
    await renderer.waitForFunction(() => {
      const img = document.querySelector('[data-testid="overlay-np-art"]') as HTMLImageElement | null;
      return !!img && img.complete && img.naturalWidth > 0;
    });
    expect(await renderer.getByTestId("overlay-np-art").getAttribute("src")).toMatch(new RegExp(`^${spotify.origin}/art/`));
    const progress = await renderer.getByTestId("overlay-np-progress").evaluate((el) => Number.parseFloat((el as HTMLElement).style.width));
    expect(progress).toBeGreaterThan(28);

    // A follow arrives through the inbox's webhook: the goal bar moves from 0 to 1 on the open renderer.
    const fill = renderer.getByTestId("overlay-goal-fill");
    expect(await fill.getAttribute("data-current")).toBe("0");
    const hook = await apiCall<{ url: string; secret: string }>("POST", `/api/t/${tenantId}/streams/inbox/webhooks`, { name: "Follows relay" });
    expect(hook.status).toBe(201);
    const res = await fetch(`${stack.url}${new URL(hook.body.url).pathname}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${hook.body.secret}` },
      body: JSON.stringify({ id: "follow-browser-1", type: "follow", actor: { name: "Browser Fan" } }),
    });
    expect(res.status).toBe(202);
    await renderer.locator('[data-testid="overlay-goal-fill"][data-current="1"]').waitFor();
    expect(await renderer.getByTestId("overlay-goal").textContent()).toBe("Follower goal 1 / 10");
    await renderer.screenshot({ path: path.join(SCREENSHOTS, "overlay-now-playing.png"), omitBackground: true });

    // The next track shows up by itself, on the next poll.
    await play("Solar Wind", "Neon Roads");
    await renderer.getByTestId("overlay-np-title").filter({ hasText: "Solar Wind" }).waitFor();
    expect(pageErrors).toEqual([]);
    expect(rendererErrors).toEqual([]);
  }, 120_000);
});
