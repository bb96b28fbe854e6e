// The fleet in a real browser: the owner adds a host, copies its token, runs the REAL agent with it, sees the host
// come online with live CPU points, finds Docker honestly unavailable (no socket), and sees it go offline when the
// agent stops.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { stopChild } from "../stack.ts";
import { describeInBrowser, screenshot } from "./browser.ts";
import { type OwnerWorld, startOwnerWorld } from "./owner-stack.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** The agent runs on Node 24 (type stripping), the project's own node devDependency. */
const NODE = existsSync(path.join(root, "node_modules/.bin/node")) ? path.join(root, "node_modules/.bin/node") : process.execPath;

interface RunningAgent {
  output(): string;
  stop(): Promise<number | null>;
}

function startAgent(env: Record<string, string>): RunningAgent {
  const child: ChildProcess = spawn(NODE, [path.join(root, "agent/src/main.ts")], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  return {
    output: () => out,
    stop: () => stopChild(child),
  };
}

describeInBrowser("the fleet in the browser", () => {
  let world: OwnerWorld;
  let page: Page;
  let agent: RunningAgent | undefined;

  beforeAll(async () => {
    world = await startOwnerWorld("fleet", 900);
    page = world.page;
  }, 180_000);

  afterAll(async () => {
    await agent?.stop();
    await world?.stop();
  });

  it("adds a host, runs the real agent with its token, and follows it online, live and offline", async () => {
    // Arrange: the owner signs in with the bootstrap link; the fleet is empty.
    await world.signIn("fleet-card");
    await page.getByTestId("fleet-empty").waitFor();

    // The one-command install: a single-use code inside the curl command, with its countdown.
    await page.getByTestId("add-host").click();
    await page.getByLabel("Host name").fill("nas");
    await page.getByTestId("create-enrollment").click();
    const install = (await page.getByTestId("install-command").textContent())?.trim() ?? "";
    expect(install.startsWith(`curl -fsSL ${world.stack.url}/agent/install.sh | sudo bash -s -- --enroll `)).toBe(true);
    expect(await page.getByTestId("enrollment-expiry").textContent()).toMatch(/expires in 1[45] min/);
    await page.getByRole("button", { name: "Done" }).click();

    // Act: add a host the manual way. Its token is shown once, with the command that starts the agent.
    await page.getByTestId("add-host").click();
    await page.getByTestId("add-host-mode-manual").click();
    await page.getByLabel("Host name").fill("homelab");
    const created = page.waitForResponse((r) => r.request().method() === "POST" && /\/api\/t\/[^/]+\/agents$/.test(r.url()));
    await page.getByTestId("create-host").click();
    expect((await created).status()).toBe(201);
    const token = (await page.getByTestId("agent-token").textContent())?.trim() ?? "";
    expect(token).toMatch(/^nca_[A-Za-z0-9_-]{43}$/);
    const command = (await page.getByTestId("agent-command").textContent())?.trim() ?? "";
    expect(command).toBe(`NEBULA_EDGE_URL=${world.stack.url} NEBULA_AGENT_TOKEN=${token} npx tsx agent/src/main.ts`);
    await page.getByRole("button", { name: "I've copied it" }).click();
    const row = page.getByTestId("fleet-table").getByTestId("host-row").filter({ hasText: "homelab" });
    await row.locator('[data-testid="host-status"][data-status="never"]').waitFor();

    // The real agent, with that token and no Docker on this machine.
    agent = startAgent({
      NEBULA_EDGE_URL: world.stack.url,
      NEBULA_AGENT_TOKEN: token,
      NEBULA_SPOOL_DIR: path.join(world.dataDir, "spool"),
      DOCKER_SOCKET: path.join(world.dataDir, "no-docker.sock"),
    });

    // Assert: the host turns online in the fleet table (the list refreshes every 10 s).
    await row.locator('[data-testid="host-status"][data-status="online"]').waitFor({ timeout: 45_000 }).catch((err: unknown) => {
      throw new Error(`host never came online: ${String(err)}\nagent:\n${agent?.output()}`);
    });

    // The host page: its facts, and the CPU chart gets points (history, then live samples every 2 s).
    await row.getByTestId("host-link").click();
    await page.getByTestId("host-page").waitFor();
    expect((await page.getByTestId("fact-hostname").textContent())?.trim()).toBe(os.hostname());
    await page.locator('[data-testid="live-state"][data-state="live"]').waitFor({ timeout: 20_000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="host-chart-cpu"]')?.getAttribute("data-points")) >= 2, null, {
      timeout: 60_000,
    });
    await page.locator('[data-testid="host-chart-cpu"] canvas').waitFor();

    // Containers: Docker is not there, and the tab says so instead of failing.
    const dockerError = page.getByTestId("job-error");
    await dockerError.waitFor({ timeout: 30_000 });
    expect(await dockerError.getAttribute("data-code")).toBe("unavailable");
    expect((await page.getByTestId("job-error-title").textContent())?.trim()).toBe("Docker unavailable");
    // And what to do about it, not only the error.
    expect(await page.getByTestId("job-error-hint").textContent()).toContain("Check that Docker is running on this host");
    expect(await page.getByTestId("containers-table").count()).toBe(0);
    await screenshot(page, "host");

    // Jobs: quick reads like that docker.list change nothing and stay out of the host's history.
    await page.getByTestId("tab-jobs").click();
    await page.getByTestId("jobs-empty").waitFor();
    expect(await page.getByTestId("job-history").getByTestId("job-row").count()).toBe(0);

    // Back on the fleet: CPU and memory now, and the last hour's sparkline.
    await page.getByTestId("nav-dashboard").click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="host-sparkline"]')?.getAttribute("data-points")) >= 2, null, {
      timeout: 30_000,
    });
    await page.getByTestId("getting-started").waitFor();
    expect(await row.getByTestId("host-cpu").textContent()).toMatch(/^\d+(\.\d)?%$/);
    expect(await row.getByTestId("host-mem").textContent()).toMatch(/^\d+(\.\d)?%$/);
    await screenshot(page, "fleet");

    // Stop the agent: its socket closes, and the fleet shows the host offline on its next refresh.
    expect(await agent.stop()).toBe(0);
    await row.locator('[data-testid="host-status"][data-status="offline"]').waitFor({ timeout: 30_000 });

    expect(world.pageErrors).toEqual([]);
  }, 240_000);
});
