// What every browser story needs: Debian's Chromium driven by playwright-core, the story skipped where Chromium is
// missing (and a failing test instead under NEBULA_REQUIRE_PEERS=1), page errors collected, screenshots for the README.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { describe, expect, it } from "vitest";

const CHROMIUM = "/usr/bin/chromium";
/** Headless in a container: no sandbox (no user namespaces), no GPU, and nothing that phones home. */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const SCREENSHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "screenshots");
const haveChromium = existsSync(CHROMIUM);

/**
 * A story that needs Chromium: skipped, with the reason in its name, where /usr/bin/chromium is missing; with
 * NEBULA_REQUIRE_PEERS=1 a missing Chromium is a failing test instead (CI must not pass by skipping).
 */
export function describeInBrowser(name: string, story: () => void): void {
  if (!haveChromium && process.env.NEBULA_REQUIRE_PEERS === "1") {
    it("has Chromium for the browser tests", () => {
      expect.fail(`${CHROMIUM} is missing: run \`npm run setup:peers\``);
    });
  }
  describe.skipIf(!haveChromium)(haveChromium ? name : `${name} (skipped: no ${CHROMIUM}; run \`npm run setup:peers\`)`, story);
}

export interface BrowserSession {
  browser: Browser;
  page: Page;
  /** Uncaught errors in the page; a story ends by expecting none. */
  pageErrors: string[];
}

/** Chromium with one dark-scheme page of the given viewport height (1280 wide). */
export async function openBrowser(viewportHeight: number): Promise<BrowserSession> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: viewportHeight }, colorScheme: "dark" });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (err) => pageErrors.push(err.message));
  await mkdir(SCREENSHOTS, { recursive: true });
  return { browser, page, pageErrors };
}

/** Calls the API from inside the page, with its session cookie, as the web app does; 204 answers a null body. */
export function pageApi(page: Page) {
  return <T>(method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: T }> =>
    page.evaluate(
      async ({ method, apiPath, body }) => {
        const res = await fetch(apiPath, { method, headers: body === undefined ? {} : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
        return { status: res.status, body: res.status === 204 ? null : await res.json() };
      },
      { method, apiPath, body },
    ) as Promise<{ status: number; body: T }>;
}

/** Saves the whole page as test/browser/screenshots/<name>.png, the README's screenshots. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * What a user sees where the app's top bar is while a dialog is open, by document.elementFromPoint at the bar's
 * height: above the dialog's own left edge, and at the brand in the bar's corner. A modal dialog and its backdrop
 * cover the whole page, so both points must be the dialog (the backdrop hit-tests as its dialog), never the bar.
 */
export async function topBarWhileDialogOpen(dialog: Locator): Promise<{ dialogTop: string; brand: string }> {
  return dialog.evaluate((el) => {
    const bar = document.querySelector("header.topbar")?.getBoundingClientRect();
    if (!bar) throw new Error("no top bar on this page");
    const y = bar.top + bar.height / 2;
    const seen = (x: number) => {
      const hit = document.elementFromPoint(x, y);
      return hit && el.contains(hit) ? "dialog" : (hit?.closest("header")?.className ?? hit?.tagName ?? "nothing");
    };
    return { dialogTop: seen(el.getBoundingClientRect().left + 24), brand: seen(bar.left + 24) };
  });
}
