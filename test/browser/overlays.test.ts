// OBS overlays in a real browser: the streamer opens the renderer page (what OBS shows), fires a test alert and sees
// it; the source's socket is cut while more alerts are sent, and after it reconnects the missed alerts play, none
// twice; then the streamer drags and resizes layers in the editor, undoes and redoes, the editor saves, and the open
// renderer redraws without a reload.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { api, overlayWire } from "@nebula/schema";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeInBrowser, screenshot } from "./browser.ts";
import { type OverlayStory, SOCKET_SPY, STAGE_DOCUMENT, startOverlayStory } from "./overlay-story.ts";

const SCREENSHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "screenshots");

describeInBrowser("OBS overlays in the browser", () => {
  let story: OverlayStory;
  let stack: OverlayStory["stack"];
  let page: Page;
  let renderer: Page;
  let pageErrors: string[];
  const rendererErrors: string[] = [];
  let tenantId: string;
  let overlay: api.OverlayView;

  const apiCall = <T>(method: string, apiPath: string, body?: unknown) => story.apiCall<T>(method, apiPath, body);
  const testAlert = (kind: overlayWire.AlertKind) => apiCall<api.OverlayTestResult>("POST", `/api/t/${tenantId}/overlays/${overlay.id}/test-alert`, { kind });
  const stage = () => renderer.getByTestId("overlay-stage");

  beforeAll(async () => {
    story = await startOverlayStory("overlays", { name: "Main scene", document: STAGE_DOCUMENT });
    ({ stack, page, pageErrors, tenantId, overlay } = story);

    renderer = await page.context().newPage();
    await renderer.setViewportSize({ width: 1280, height: 720 });
    renderer.on("pageerror", (err) => rendererErrors.push(err.message));
    await renderer.addInitScript(SOCKET_SPY);
  }, 180_000);

  afterAll(async () => {
    await story?.stop();
  });

  it("shows a test alert on the renderer page, and after a cut connection plays the missed alerts once each", async () => {
    await renderer.goto(`${stack.url}/overlay/${overlay.publicId}`);
    await renderer.locator('[data-testid="overlay-stage"][data-connection="open"]').waitFor();
    await renderer.locator('[data-layer-id="title"]').getByText("Nebula Live").waitFor();
    // Chromium, like OBS's browser source, offers permessage-deflate; the room declines it, so an alert is not deflated
    // once for every source it fans out to.
    expect(await renderer.evaluate(() => (window as unknown as { __sockets: { socket: WebSocket }[] }).__sockets[0]?.socket.extensions)).toBe("");

    const first = await testAlert("follow");
    expect(first).toEqual({ status: 200, body: { seq: 1, delivered: 1 } });
    const alert = renderer.getByTestId("overlay-alert");
    await alert.filter({ hasText: "TestViewer just followed!" }).waitFor();
    expect(await alert.getAttribute("data-seq")).toBe("1");
    await renderer.screenshot({ path: path.join(SCREENSHOTS, "overlay-renderer.png"), omitBackground: true });

    // The network drops: the page's socket closes and every reconnect fails until we let it through.
    await renderer.evaluate(() => {
      const w = window as unknown as { __blocked: boolean; __sockets: { socket: WebSocket }[] };
      w.__blocked = true;
      w.__sockets.at(-1)?.socket.close();
    });
    await renderer.locator('[data-testid="overlay-stage"][data-connection="reconnecting"]').waitFor();
    expect(await testAlert("sub")).toEqual({ status: 200, body: { seq: 2, delivered: 0 } });
    expect(await testAlert("cheer")).toEqual({ status: 200, body: { seq: 3, delivered: 0 } });

    await renderer.evaluate(() => {
      (window as unknown as { __blocked: boolean }).__blocked = false;
    });
    await renderer.locator('[data-testid="overlay-stage"][data-connection="open"]').waitFor({ timeout: 20_000 });
    await renderer.locator('[data-testid="overlay-stage"][data-played="1,2,3"]').waitFor({ timeout: 20_000 });
    await alert.filter({ hasText: "TestViewer cheered 500 bits!" }).waitFor();
    const urls = await renderer.evaluate(() => (window as unknown as { __sockets: { url: string }[] }).__sockets.map((s) => s.url));
    expect(urls[0]).not.toContain("since=");
    expect(urls.at(-1)).toMatch(/\/ws\?since=1$/);
    // The event list shows all three, newest first, each once.
    expect(await renderer.getByTestId("overlay-event").allTextContents()).toEqual(["TestViewer · cheer 500", "TestViewer · subscription", "TestViewer · follow"]);

    // Once the queue is empty the stage is idle again; nothing played twice.
    await alert.waitFor({ state: "detached" });
    expect(await stage().getAttribute("data-played")).toBe("1,2,3");
    expect(rendererErrors).toEqual([]);
  });

  it("drags and resizes in the editor with undo/redo, saves, and the open renderer redraws without a reload", async () => {
    const loadedOnce = await renderer.evaluate(() => (window as unknown as { __loadedOnce: number }).__loadedOnce);
    await page.getByTestId("nav-overlays").click();
    await page.getByTestId("overlay-row").filter({ hasText: "Main scene" }).getByTestId("overlay-link").click();
    await page.getByTestId("overlay-canvas").waitFor();

    const title = page.locator('[data-testid="canvas-layer"][data-layer-id="title"]');
    const box = await title.boundingBox();
    if (!box) throw new Error("the title layer is not on the canvas");
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2 + 40, { steps: 5 });
    await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 80, { steps: 5 });
    await page.mouse.up();
    const propX = page.getByTestId("prop-x");
    const propY = page.getByTestId("prop-y");
    const movedX = Number(await propX.inputValue());
    const movedY = Number(await propY.inputValue());
    expect(movedX).toBeGreaterThan(100);
    expect(movedY).toBeGreaterThan(80);

    // The alert box: select it and pull its bottom-right handle.
    const alerts = page.locator('[data-testid="canvas-layer"][data-layer-id="alerts"]');
    const alertBox = await alerts.boundingBox();
    if (!alertBox) throw new Error("the alert box is not on the canvas");
    await page.mouse.click(alertBox.x + 20, alertBox.y + 20);
    const handle = await alerts.getByTestId("handle-se").boundingBox();
    if (!handle) throw new Error("no resize handle on the selected alert box");
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await page.mouse.down();
    await page.mouse.move(handle.x + handle.width / 2 + 80, handle.y + handle.height / 2 + 40, { steps: 5 });
    await page.mouse.up();
    await page.getByTestId("properties-panel").filter({ hasText: "· alerts" }).waitFor();
    expect(await alerts.evaluate((el) => el.style.width)).not.toBe("800px");

    // Undo the resize and the move, redo the move.
    await page.keyboard.press("Control+z");
    expect(await alerts.evaluate((el) => el.style.width)).toBe("800px");
    await page.keyboard.press("Control+z");
    expect(await title.evaluate((el) => [el.style.left, el.style.top])).toEqual(["100px", "80px"]);
    await page.keyboard.press("Control+Shift+z");
    expect(await title.evaluate((el) => [el.style.left, el.style.top])).toEqual([`${movedX}px`, `${movedY}px`]);

    await page.locator('[data-testid="save-status"][data-state="saved"]').waitFor({ timeout: 15_000 });
    await screenshot(page, "overlay-editor");

    // The renderer, never reloaded, shows the saved position.
    const rendered = renderer.locator('[data-layer-id="title"]');
    await renderer.waitForFunction((x) => (document.querySelector('[data-layer-id="title"]') as HTMLElement | null)?.style.left === `${x}px`, movedX);
    expect(await rendered.evaluate((el) => el.style.top)).toBe(`${movedY}px`);
    expect(await rendered.evaluate((el) => (el.nextElementSibling as HTMLElement | null)?.style.width)).toBe("800px");
    expect(await renderer.evaluate(() => (window as unknown as { __loadedOnce: number }).__loadedOnce)).toBe(loadedOnce);

    const saved = await apiCall<api.OverlayView>("GET", `/api/t/${tenantId}/overlays/${overlay.id}`);
    expect(saved.body.document.layers.find((l) => l.id === "title")).toMatchObject({ x: movedX, y: movedY });
    expect(saved.body.document.layers.find((l) => l.id === "alerts")).toMatchObject({ w: 800, h: 260 });
    expect(pageErrors).toEqual([]);
    expect(rendererErrors).toEqual([]);
  });

  it("lists the overlay with its OBS URL, and a new URL cuts the renderer off", async () => {
    await page.getByRole("link", { name: "← Overlays" }).click();
    const row = page.getByTestId("overlay-row").filter({ hasText: "Main scene" });
    expect(await row.getByTestId("overlay-obs-url").textContent()).toBe(`${stack.url}/overlay/${overlay.publicId}`);
    await screenshot(page, "overlays-list");

    await row.getByTestId("rotate-overlay").click();
    await page.getByTestId("confirm-button").click();
    await renderer.locator('[data-testid="overlay-stage"][data-connection="gone"]').waitFor();
    expect(await renderer.locator('[data-layer-id="title"]').count()).toBe(0);
    await page.getByTestId("overlay-obs-url").filter({ hasNotText: overlay.publicId }).waitFor();
  });
});
