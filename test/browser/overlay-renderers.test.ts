// OBS overlays with the editor and several sources at once, in a real browser: the editor's own "Send test alert"
// button plays on two open renderer pages of one overlay; the streamer drags the alert box (a move, not a resize) and
// restacks a layer, and both survive save and reload; a renderer whose socket stalls silently (pongs swallowed, no
// close, as OBS sources do) notices by its heartbeat, shows reconnecting, comes back, and plays the alert fired while
// it was stalled; Twitch chat reaches a chat box (never a line anti-spam removed), and ticking "Show !commands" in the
// editor brings the viewers' commands onto the open renderer.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { api, overlayWire } from "@nebula/schema";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FakeTwitch, startFakeTwitch, twitchStackEnv } from "../fakes/twitch.ts";
import { describeInBrowser, screenshot } from "./browser.ts";
import { type OverlayStory, SOCKET_SPY, STAGE_DOCUMENT, type SpiedWindow, layerBase, startOverlayStory } from "./overlay-story.ts";

const SCREENSHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "screenshots");
const BROADCASTER = "880001";

const CHAT_DOCUMENT: overlayWire.OverlayDocument = {
  version: 1,
  canvas: { width: 1920, height: 1080 },
  layers: [{ ...layerBase, id: "chat", name: "Chat", type: "chat-box", x: 40, y: 400, w: 900, h: 600, z: 0, maxLines: 10, fadeAfterSeconds: 0, font: "sans-serif", size: 40, colour: "#ffffff" }],
};

describeInBrowser("OBS overlays: two sources, the editor's test alert, and a stalled source", () => {
  let story: OverlayStory;
  let twitch: FakeTwitch;
  let page: Page;
  const rendererErrors: string[] = [];

  const overlayApi = (rest = "") => `/api/t/${story.tenantId}/overlays/${story.overlay.id}${rest}`;
  const savedDocument = async () => (await story.apiCall<api.OverlayView>("GET", overlayApi())).body.document;
  const layerRows = () => page.getByTestId("layer-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-layer-id")));
  const saved = () => page.locator('[data-testid="save-status"][data-state="saved"]').waitFor({ timeout: 15_000 });

  /** A renderer page as OBS opens it (plus the socket spy), connected. */
  async function openRenderer(query = "", overlay = story.overlay): Promise<Page> {
    const renderer = await page.context().newPage();
    await renderer.setViewportSize({ width: 960, height: 540 });
    renderer.on("pageerror", (err) => rendererErrors.push(err.message));
    await renderer.addInitScript(SOCKET_SPY);
    await renderer.goto(`${story.stack.url}/overlay/${overlay.publicId}${query}`);
    await renderer.locator('[data-testid="overlay-stage"][data-connection="open"]').waitFor();
    await renderer.locator(`[data-layer-id="${overlay.document.layers[0]?.id}"]`).waitFor();
    return renderer;
  }

  /** A viewer's line in the broadcaster's Twitch chat: the fake signs channel.chat.message, delivered to our webhook. */
  const chatters = new Map<string, string>();
  async function twitchChatLine(login: string, text: string): Promise<void> {
    const chatterId = chatters.get(login) ?? `77000${chatters.size + 1}`;
    chatters.set(login, chatterId);
    const control = await fetch(`${twitch.origin}/__control/twitch/chat-message`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ broadcaster_user_id: BROADCASTER, chatter_user_id: chatterId, chatter_user_login: login, text }) });
    const signed = (await control.json()) as { body: string; headers: Record<string, string> };
    const res = await fetch(`${story.stack.url}/webhooks/twitch`, { method: "POST", headers: signed.headers, body: signed.body });
    expect(res.status).toBe(204);
  }

  beforeAll(async () => {
    twitch = await startFakeTwitch();
    story = await startOverlayStory(
      "overlay-renderers",
      { name: "Stage scene", document: STAGE_DOCUMENT },
      twitchStackEnv(twitch),
    );
    page = story.page;
    await page.getByTestId("nav-overlays").click();
    await page.getByTestId("overlay-row").filter({ hasText: "Stage scene" }).getByTestId("overlay-link").click();
    await page.getByTestId("overlay-canvas").waitFor();
  }, 180_000);

  afterAll(async () => {
    await story?.stop();
    await twitch?.close();
  });

  it("the editor's Send test alert button plays the alert on both open renderers of the overlay", async () => {
    const [left, right] = [await openRenderer(), await openRenderer()];
    await page.getByLabel("Test alert type").selectOption("sub");
    await page.getByTestId("send-test-alert").click();
    await page.getByTestId("test-alert-result").filter({ hasText: "test sent to 2 sources" }).waitFor();

    await Promise.all([left, right].map((renderer) => renderer.getByTestId("overlay-alert").filter({ hasText: "TestViewer subscribed!" }).waitFor()));
    for (const renderer of [left, right]) await renderer.locator('[data-testid="overlay-stage"][data-played="1"]').waitFor();
    await right.screenshot({ path: path.join(SCREENSHOTS, "overlay-renderer-second-source.png"), omitBackground: true });
    await left.close();
    await right.close();
    expect(rendererErrors).toEqual([]);
  });

  it("dragging the alert box moves it (same size), and the position is saved and drawn by a fresh renderer", async () => {
    const alerts = page.locator('[data-testid="canvas-layer"][data-layer-id="alerts"]');
    const box = await alerts.boundingBox();
    if (!box) throw new Error("the alert box is not on the canvas");
    // Grab it well inside its edges, away from the resize handles.
    const from = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x - 40, from.y + 30, { steps: 5 });
    await page.mouse.move(from.x - 80, from.y + 60, { steps: 5 });
    await page.mouse.up();
    await page.getByTestId("properties-panel").filter({ hasText: "· alerts" }).waitFor();
    const movedX = Number(await page.getByTestId("prop-x").inputValue());
    const movedY = Number(await page.getByTestId("prop-y").inputValue());
    expect(movedX).toBeLessThan(560);
    expect(movedY).toBeGreaterThan(360);
    expect(await alerts.evaluate((el) => [el.style.left, el.style.top, el.style.width, el.style.height])).toEqual([`${movedX}px`, `${movedY}px`, "800px", "260px"]);

    await saved();
    expect((await savedDocument()).layers.find((l) => l.id === "alerts")).toMatchObject({ x: movedX, y: movedY, w: 800, h: 260 });
    const renderer = await openRenderer();
    expect(await renderer.locator('[data-layer-id="alerts"]').evaluate((el) => [el.style.left, el.style.top])).toEqual([`${movedX}px`, `${movedY}px`]);
    await renderer.close();
    await screenshot(page, "overlay-editor-alert-moved");
  });

  it("moving a layer up the stack persists after save and a reload of the editor", async () => {
    // The list shows the top layer first.
    expect(await layerRows()).toEqual(["goal", "recent", "alerts", "title"]);
    await page.getByRole("button", { name: "Move Title up" }).click();
    expect(await layerRows()).toEqual(["goal", "recent", "title", "alerts"]);
    await saved();

    await page.reload();
    await page.getByTestId("overlay-canvas").waitFor();
    expect(await layerRows()).toEqual(["goal", "recent", "title", "alerts"]);
    const z = Object.fromEntries((await savedDocument()).layers.map((l) => [l.id, l.z]));
    expect(z.alerts).toBeLessThan(z.title as number);
    expect(z.title).toBeLessThan(z.recent as number);
    await page.getByRole("button", { name: "Move Title down" }).click();
    expect(await layerRows()).toEqual(["goal", "recent", "alerts", "title"]);
    await saved();
    await page.reload();
    await page.getByTestId("overlay-canvas").waitFor();
    expect(await layerRows()).toEqual(["goal", "recent", "alerts", "title"]);
    expect(story.pageErrors).toEqual([]);
  });

  it("a silently stalled source is caught by its heartbeat, reconnects, and plays the alert fired meanwhile", async () => {
    // ?heartbeat=200: a ping every 200 ms, so the stall is noticed within a second instead of 15 s.
    const renderer = await openRenderer("?heartbeat=200");
    // The page has taken in the room's history (the first story's sub) before its socket goes quiet.
    const lastSeq = 1;
    await renderer.locator(`[data-testid="overlay-stage"][data-last-seq="${lastSeq}"]`).waitFor();
    const statesBefore = await renderer.evaluate(() => (window as unknown as SpiedWindow).__states.length);

    // The socket goes quiet: no frame, no pong, no close. Reconnects are held back until the alert is out.
    await renderer.evaluate(() => {
      const w = window as unknown as SpiedWindow;
      w.__blocked = true;
      const current = w.__sockets.at(-1);
      if (current) current.socket.__stalled = true;
    });
    const fired = await story.apiCall<api.OverlayTestResult>("POST", overlayApi("/test-alert"), { kind: "cheer" });
    expect(fired.status).toBe(200);
    expect(fired.body.seq).toBe(lastSeq + 1);
    // Nothing closed the stalled socket: only the missing pongs can make the page give up on it.
    await renderer.waitForFunction((from) => (window as unknown as SpiedWindow).__states.slice(from).includes("reconnecting"), statesBefore);

    await renderer.evaluate(() => {
      (window as unknown as SpiedWindow).__blocked = false;
    });
    await renderer.locator('[data-testid="overlay-stage"][data-connection="open"]').waitFor({ timeout: 20_000 });
    await renderer.locator(`[data-testid="overlay-stage"][data-played="${fired.body.seq}"]`).waitFor({ timeout: 20_000 });
    await renderer.getByTestId("overlay-alert").filter({ hasText: "TestViewer cheered 500 bits!" }).waitFor();
    await renderer.screenshot({ path: path.join(SCREENSHOTS, "overlay-renderer-after-stall.png"), omitBackground: true });
    const spied = await renderer.evaluate(() => {
      const w = window as unknown as SpiedWindow;
      return { states: w.__states, urls: w.__sockets.map((s) => s.url) };
    });
    expect(spied.states.slice(statesBefore)).toEqual(["reconnecting", "open"]);
    expect(spied.urls.at(-1)).toMatch(new RegExp(`/ws\\?since=${lastSeq}$`));
    expect(rendererErrors).toEqual([]);
  });

  it("Twitch chat reaches the chat box without the line anti-spam removed; Show !commands brings the commands in live", async () => {
    const bot = await story.apiCall("POST", `/api/t/${story.tenantId}/streams/chat-bot/channels`, { platform: "twitch", channelId: BROADCASTER, channelLogin: "novastage", botUserId: "880002" });
    expect(bot.status).toBe(201);
    const created = await story.apiCall<api.OverlayView>("POST", `/api/t/${story.tenantId}/overlays`, { name: "Chat scene", document: CHAT_DOCUMENT });
    expect(created.status).toBe(201);
    const renderer = await openRenderer("", created.body);
    const stage = renderer.getByTestId("overlay-stage");
    const lines = () => renderer.getByTestId("overlay-chat-line").allTextContents();

    await twitchChatLine("nightowl", "hello chat");
    await renderer.getByTestId("overlay-chat-line").filter({ hasText: "hello chat" }).waitFor();
    // Shouting: anti-spam removes it from Twitch (the moderation log has it), so it must not stay on stream either.
    await twitchChatLine("shouty", "WHY IS NOBODY ANSWERING ME");
    await expect.poll(async () => (await story.apiCall<{ entries: unknown[] }>("GET", `/api/t/${story.tenantId}/streams/chat-bot/log`)).body.entries.length, { timeout: 20_000 }).toBe(1);
    await twitchChatLine("lurker", "!lurk");
    await twitchChatLine("nightowl", "gg");
    // Three lines passed (hello, !lurk, gg); the chat box leaves out the command by default.
    await renderer.locator('[data-testid="overlay-stage"][data-last-seq="3"]').waitFor({ timeout: 20_000 });
    expect(await lines()).toEqual(["nightowl hello chat", "nightowl gg"]);
    expect(await stage.textContent()).not.toContain("NOBODY");

    await page.getByTestId("nav-overlays").click();
    await page.getByTestId("overlay-row").filter({ hasText: "Chat scene" }).getByTestId("overlay-link").click();
    await page.locator('[data-testid="layer-row"][data-layer-id="chat"] .ov-layer-name').click();
    await page.getByLabel("Show !commands").check();
    await page.locator('[data-testid="save-status"][data-state="saved"]').waitFor({ timeout: 15_000 });
    // The open renderer redraws with the saved setting, no reload.
    await renderer.getByTestId("overlay-chat-line").filter({ hasText: "!lurk" }).waitFor();
    expect(await lines()).toEqual(["nightowl hello chat", "lurker !lurk", "nightowl gg"]);
    await renderer.screenshot({ path: path.join(SCREENSHOTS, "overlay-renderer-chat.png"), omitBackground: true });
    expect(rendererErrors).toEqual([]);
    expect(story.pageErrors).toEqual([]);
  });
});
