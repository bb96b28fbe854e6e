// The browser stories about Nebula alone share one world: the real local stack on a fresh data folder, Chromium, and
// the owner signing in with the one-time bootstrap link the stack prints on first start.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { type LocalStack, startLocalStack } from "../stack.ts";
import { openBrowser } from "./browser.ts";

export interface OwnerWorld {
  /** The story's scratch folder; the stack keeps its data in `stack/` below it. */
  dataDir: string;
  stack: LocalStack;
  browser: Browser;
  page: Page;
  /** Uncaught errors in the page; a story ends by expecting none. */
  pageErrors: string[];
  /** Opens the bootstrap link (the Worker sets the session cookie and redirects) and waits for `landmark` (a test id). */
  signIn(landmark: string): Promise<void>;
  stop(): Promise<void>;
}

/** A fresh stack in a temp folder named `nebula-<name>-…`, and a Chromium page of the given viewport height. `env`: extra stack settings. */
export async function startOwnerWorld(name: string, viewportHeight: number, env?: Record<string, string>): Promise<OwnerWorld> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `nebula-${name}-`));
  let stack: LocalStack | undefined;
  try {
    stack = await startLocalStack({ dataDir: path.join(dataDir, "stack"), ...(env ? { env } : {}) });
    const { browser, page, pageErrors } = await openBrowser(viewportHeight);
    const started = stack;
    return {
      dataDir,
      stack: started,
      browser,
      page,
      pageErrors,
      async signIn(landmark) {
        await page.goto(started.bootstrapUrl ?? "");
        await page.getByTestId(landmark).waitFor();
      },
      async stop() {
        await browser.close();
        await started.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}
