// The host page in a real browser, twice. A scripted agent (the real wire protocol over /agent/connect) reports load,
// cores, disk IO, temperatures and a GPU, a full spool and a malformed message: the owner sees every chart (the line
// broken where the host was away, not drawn straight across), the uptime and the link's losses, wakes a machine,
// reboots the host only after typing its hostname, brings a stack up and pulls an image; an operator is not offered
// the reboot, the stack or the pull. Then the REAL agent on podman's Docker API: the Containers tab shows each
// container's CPU and memory live and a docker.stats reading, and charts without data stay away.
import os from "node:os";
import path from "node:path";
import { agentWire } from "@nebula/schema";
import Docker from "dockerode";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BUSYBOX_IMAGE, type PodmanPeer, startPodman } from "../peers/podman.ts";
import { peerMissing } from "../peers/peers.ts";
import { type AgentProcess, startAgentProcess } from "../soak/agent-process.ts";
import { describeInBrowser, pageApi, screenshot } from "./browser.ts";
import { type ScriptedAgent, connectScriptedAgent } from "./scripted-agent.ts";
import { type OwnerWorld, startOwnerWorld } from "./owner-stack.ts";

const podmanMissing = peerMissing("podman");
const HOSTNAME = "rig-host";
const UPTIME_S = 3 * 86_400 + 4 * 3_600 + 120;

/** One sample of a box with two cores, a disk, a sensor and a GPU, `i` steps into a slow climb. */
function richSample(at: number, i: number): agentWire.Sample {
  return {
    at,
    values: {
      "cpu.total": 20 + i,
      "cpu.core.0": 10 + i,
      "cpu.core.1": 30 + i,
      "load.1": 0.5 + i / 10,
      "load.5": 0.4,
      "load.15": 0.3,
      "mem.used_pct": 40,
      "io.sda.read_bps": 1_048_576,
      "io.sda.write_bps": 524_288,
      "temp.coretemp_Package_id_0": 50 + i,
      "gpu.0.util": 35,
      "gpu.0.mem_used_pct": 12.5,
      "gpu.0.temp": 61,
      "host.uptime_s": UPTIME_S + i * 10,
    },
  };
}

const chartPoints = (page: Page, testId: string, atLeast: number) =>
  page.waitForFunction(
    ([id, n]) => Number(document.querySelector(`[data-testid="${id}"]`)?.getAttribute("data-points")) >= Number(n),
    [testId, String(atLeast)] as const,
    { timeout: 60_000 },
  );

/**
 * How many pixels of the chart's first series colour (SERIES_COLORS[0], #8b5cf6) a user sees in a 3 px wide column of
 * the plot at time `at`, for a chart showing the hour up to `to`: the line drawn there, or nothing where it breaks.
 */
const linePixelsAt = (page: Page, testId: string, at: number, to: number) =>
  page.evaluate(
    ([id, t, end]) => {
      const chart = document.querySelector(`[data-testid="${id}"]`);
      const canvas = chart?.querySelector("canvas");
      const over = chart?.querySelector(".u-over")?.getBoundingClientRect();
      if (!canvas || !over) return -1;
      const box = canvas.getBoundingClientRect();
      const ratio = canvas.width / box.width;
      const x = over.left - box.left + ((t - (end - 3_600_000)) / 3_600_000) * over.width;
      const pixels = canvas.getContext("2d")?.getImageData(Math.round(x * ratio) - 1, Math.round((over.top - box.top) * ratio), 3, Math.round(over.height * ratio)).data ?? [];
      let count = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        const [r = 0, g = 0, b = 0, a = 0] = [pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]];
        if (a > 64 && b > 150 && r > 80 && g < 140) count++;
      }
      return count;
    },
    [testId, at, to] as const,
  );

describeInBrowser("the host page in the browser", () => {
  let world: OwnerWorld;
  let page: Page;
  let tenantId: string;
  let scripted: ScriptedAgent | undefined;
  let peer: PodmanPeer | undefined;
  let realAgent: AgentProcess | undefined;
  let docker: Docker | undefined;
  const containerName = `nebula-web-${process.pid}`;

  /** A host added through the API as the signed-in owner; its token is shown once. */
  async function addHost(name: string): Promise<{ agentId: string; token: string }> {
    const created = await pageApi(page)<{ agent: { id: string }; token: string }>("POST", `/api/t/${tenantId}/agents`, { name });
    expect(created.status).toBe(201);
    return { agentId: created.body.agent.id, token: created.body.token };
  }

  beforeAll(async () => {
    world = await startOwnerWorld("host-page", 1400);
    page = world.page;
    await world.signIn("fleet-card");
    tenantId = (await pageApi(page)<{ activeTenantId: string }>("GET", "/api/me")).body.activeTenantId;
  }, 180_000);

  afterAll(async () => {
    scripted?.close();
    await realAgent?.stop();
    await docker?.getContainer(containerName).remove({ force: true }).catch(() => undefined);
    await peer?.stop();
    await world?.stop();
  });

  it("charts load, cores, disk IO, temperatures and the GPU, shows the link's losses, and guards power actions by role", async () => {
    // Arrange: the scripted agent says hello, reports ten minutes of samples, a full spool and one garbled message.
    const host = await addHost("rig");
    let composeHeld: (() => void) | undefined;
    scripted = await connectScriptedAgent(world.stack.url, host.token, (job, agent) => {
      const now = Date.now();
      if (job.kind === "docker.list") return agent.send({ type: "job_result", id: job.id, ok: true, result: [], durationMs: 1 });
      if (job.kind === "docker.compose.up") {
        // Held until the browser follows the job: streamed output is live only, never stored.
        agent.send({ type: "job_progress", id: job.id, step: "compose", status: "running", message: "docker compose up -d", at: now });
        composeHeld = () => {
          agent.send({ type: "job_log", id: job.id, stream: "stderr", data: " Container media-app-1  Started\n" });
          agent.send({ type: "job_progress", id: job.id, step: "compose", status: "ok", message: "up", at: Date.now() });
          agent.send({ type: "job_result", id: job.id, ok: true, result: { stack: "media", action: "up", composeFile: "/srv/media/compose.yaml" }, durationMs: 3 });
        };
        return;
      }
      agent.send({ type: "job_progress", id: job.id, step: job.kind, status: "ok", message: "done", at: now });
      const results: Record<string, unknown> = {
        "host.wol": { mac: (job.params as { mac: string }).mac, address: "255.255.255.255", port: 9, bytes: 102 },
        "host.reboot": { rebooting: true },
        "docker.pull": { image: "busybox:1.36", imageId: "sha256:abc", status: "Downloaded newer image for busybox:1.36" },
      };
      agent.send({ type: "job_result", id: job.id, ok: true, result: results[job.kind] ?? null, durationMs: 3 });
    });
    const acked = scripted.next<agentWire.HelloAck>("hello_ack");
    scripted.send({
      type: "hello",
      protocol: agentWire.PROTOCOL_VERSION,
      agentVersion: "0.1.0",
      hostname: HOSTNAME,
      os: "linux",
      arch: "x64",
      capabilities: ["docker.list", "docker.compose.up", "host.wol", "host.reboot"],
      cpuCount: 2,
      stacks: ["media"],
    });
    await acked;
    // Ten minutes of samples now, and ten more before the host was away for 25 minutes (no samples at all).
    const start = Date.now() - 10 * 60_000;
    const away = { from: start - 25 * 60_000, to: start };
    const earlier = Array.from({ length: 10 }, (_, i) => richSample(away.from - (9 - i) * 60_000, 0));
    const stored = scripted.next<agentWire.MetricsAck>("metrics_ack");
    scripted.send({ type: "metrics", seq: 1, samples: [...earlier, ...Array.from({ length: 10 }, (_, i) => richSample(start + i * 60_000, i))] });
    expect((await stored).seq).toBe(1);
    scripted.send({ type: "spool_loss", droppedBatches: 2, droppedSamples: 120, oldestDroppedAt: start - 3_600_000 });
    const refused = scripted.next<agentWire.WireError>("error");
    scripted.send("{ garbled");
    expect((await refused).code).toBe("malformed");
    // Watching live: the hub asks for samples every 2 s, and the scripted agent sends one at once.
    void scripted.next<agentWire.SetInterval>("set_interval").then(() => scripted?.send({ type: "metrics", seq: 2, samples: [richSample(Date.now(), 10)] }));

    // Act: open the host page.
    await page.goto(`${world.stack.url}/hosts/${host.agentId}`);
    await page.getByTestId("host-page").waitFor();

    // Assert: every chart has the history's points, and the uptime reads as a duration.
    for (const chart of ["host-chart-cpu", "host-chart-load", "host-chart-cores", "host-chart-io", "host-chart-temp", "host-chart-gpu"]) {
      await chartPoints(page, chart, 10);
    }
    expect((await page.getByTestId("host-uptime").textContent())?.trim()).toBe("Up 3 d 4 h");
    // The CPU line is drawn where the host reported and broken while it was away, not joined straight across.
    const shownTo = Date.now();
    const recent = start + 5 * 60_000;
    // Drawn once uPlot's chunk has loaded.
    await expect.poll(() => linePixelsAt(page, "host-chart-cpu", recent, shownTo), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await linePixelsAt(page, "host-chart-cpu", (away.from + away.to) / 2, shownTo)).toBe(0);
    const health = page.getByTestId("link-health");
    await health.and(page.locator('[data-troubled="true"]')).waitFor({ timeout: 30_000 });
    expect((await health.textContent())?.trim()).toBe("120 lost samples · 1 rejected message");
    // Legends speak the owner's words: a sensor by what it measures, the time as the axis shows it, not 2026-11-26.
    const tempLegend = (await page.getByTestId("host-chart-temp").textContent()) ?? "";
    expect(tempLegend).toContain("CPU package 0");
    expect(tempLegend).not.toContain("coretemp_");
    expect(await page.getByTestId("host-chart-cpu").textContent()).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    // As rendered: a badge raises only its first letter, not every word ("120 Lost Samples").
    expect(await health.locator(".badge").evaluate((el) => getComputedStyle(el).textTransform)).toBe("none");
    await screenshot(page, "host-charts");

    // Wake-on-LAN: a MAC is asked for, the job reaches the agent, and its end shows under the Power card.
    await page.getByTestId("host-wol").click();
    // Every card keeps its own closed confirmation dialog in the page: the open one is asked about.
    const dialog = page.locator('[data-testid="confirm-dialog"][open]');
    expect(await dialog.getByTestId("confirm-button").isDisabled()).toBe(true);
    await dialog.locator('input[name="wol-mac"]').fill("aa:bb:cc:dd:ee:ff");
    await dialog.getByTestId("confirm-button").click();
    await page.locator('[data-testid="power-job"][data-status="succeeded"]').waitFor();
    expect((await page.getByTestId("power-result").textContent())?.trim()).toBe("Magic packet sent for aa:bb:cc:dd:ee:ff.");
    expect(scripted.jobs.find((j) => j.kind === "host.wol")?.params).toEqual({ mac: "aa:bb:cc:dd:ee:ff", broadcast: "255.255.255.255" });

    // Reboot: nothing is sent until the hostname is typed exactly.
    await page.getByTestId("host-reboot").click();
    const reboot = page.locator('[data-testid="confirm-dialog"][open]');
    await reboot.locator('input[name="reboot-hostname"]').fill("rig-hos");
    expect(await reboot.getByTestId("confirm-button").isDisabled()).toBe(true);
    await reboot.getByRole("button", { name: "Cancel" }).click();
    expect(scripted.jobs.some((j) => j.kind === "host.reboot")).toBe(false);
    await page.getByTestId("host-reboot").click();
    expect(await reboot.locator('input[name="reboot-hostname"]').inputValue()).toBe("");
    await reboot.locator('input[name="reboot-hostname"]').fill(HOSTNAME);
    await reboot.getByTestId("confirm-button").click();
    await page.locator('[data-testid="power-job"][data-status="succeeded"]').filter({ hasText: "Reboot" }).waitFor();
    expect((await page.getByTestId("power-result").textContent())?.trim()).toBe("The host is rebooting.");
    expect(scripted.jobs.filter((j) => j.kind === "host.reboot").map((j) => j.params)).toEqual([{ confirm: true }]);

    // A configured stack comes up after a confirmation, with compose's output followed live.
    const stack = page.getByTestId("stacks-list").locator('[data-testid="stack-row"][data-name="media"]');
    await stack.getByTestId("stack-up").click();
    // The browser follows the job once its stream delivers the first (replayed) step.
    const following = new Promise<void>((resolve) =>
      page.on("websocket", (ws) => {
        if (ws.url().includes("/stream")) ws.once("framereceived", () => resolve());
      }),
    );
    await page.locator('[data-testid="confirm-dialog"][open]').getByTestId("confirm-button").click();
    await following;
    composeHeld?.();
    await page.locator('[data-testid="stack-job"][data-status="succeeded"]').waitFor();
    expect(await page.getByTestId("stack-job").getByTestId("job-output").textContent()).toContain("Container media-app-1  Started");

    // An image is pulled by name, asked for in the confirmation.
    await page.getByTestId("pull-image").click();
    await page.locator('[data-testid="confirm-dialog"][open] input[name="pull-image"]').fill("busybox:1.36");
    await page.locator('[data-testid="confirm-dialog"][open]').getByTestId("confirm-button").click();
    await page.locator('[data-testid="pull-job"][data-status="succeeded"]').waitFor();
    expect((await page.getByTestId("pull-result").textContent())?.trim()).toBe("Downloaded newer image for busybox:1.36");
    expect(scripted.jobs.find((j) => j.kind === "docker.pull")?.params).toEqual({ image: "busybox:1.36" });

    // An operator (the session says so) may wake machines but is not offered the reboot.
    await page.route("**/api/me", async (route) => {
      const res = await route.fetch();
      const me = (await res.json()) as { tenants: { id: string; role: string }[] };
      await route.fulfill({ response: res, json: { ...me, tenants: me.tenants.map((t) => ({ ...t, role: "operator" })) } });
    });
    await page.reload();
    await page.getByTestId("host-power").waitFor();
    expect(await page.getByTestId("host-reboot").isDisabled()).toBe(true);
    expect(await page.getByTestId("host-reboot-gate").getAttribute("title")).toBe("Needs the owner role");
    expect(await page.getByTestId("host-wol").isDisabled()).toBe(false);
    expect(await page.getByTestId("stack-up").isDisabled()).toBe(true);
    expect(await page.getByTestId("pull-image").isDisabled()).toBe(true);
    await page.unroute("**/api/me");

    expect(world.pageErrors).toEqual([]);
  }, 240_000);

  it.skipIf(podmanMissing)("shows each container's CPU and memory live and a stats reading, from the real agent on podman", async () => {
    // Arrange: a busy busybox container on podman's Docker API, and the real agent pointed at it.
    peer = await startPodman();
    docker = new Docker({ socketPath: peer.socketPath });
    const container = await docker.createContainer({
      name: containerName,
      Image: BUSYBOX_IMAGE,
      Cmd: ["sh", "-c", "while true; do sleep 1; done"],
      HostConfig: { NetworkMode: "none" },
    });
    await container.start();
    const host = await addHost("podman-box");
    realAgent = startAgentProcess({ edgeUrl: world.stack.url, token: host.token, spoolDir: path.join(world.dataDir, "spool"), dockerSocket: peer.socketPath });
    await realAgent.waitForLog((line) => line.msg === "connected to the edge", 1, 30_000);

    // Act: open its host page (Containers is the first tab).
    await page.goto(`${world.stack.url}/hosts/${host.agentId}`);
    const row = page.getByTestId("containers-table").locator(`[data-testid="container-row"][data-name="${containerName}"]`);
    await row.waitFor({ timeout: 60_000 });

    // Assert: CPU (a rate: the second reading on) and memory arrive with the live samples.
    await row.getByTestId("container-cpu").filter({ hasText: /^\d+(\.\d)?%$/ }).waitFor({ timeout: 60_000 });
    expect((await row.getByTestId("container-mem").textContent())?.trim()).toMatch(/^\d+(\.\d)? (B|KiB|MiB|GiB) · \d+(\.\d)?%$/);

    // The network head sums the host's interfaces on one line; each interface is in its tooltip.
    await page.getByTestId("network-now").waitFor();
    expect(await page.getByTestId("network-now").textContent()).toMatch(/^↓ \d+(\.\d)? [kMG]?bit\/s ↑ \d+(\.\d)? [kMG]?bit\/s$/);
    expect(await page.getByTestId("network-now").getAttribute("title")).toMatch(/↓/);

    // Every column, the row's actions included, fits the card at a laptop's width: nothing to scroll sideways to.
    const overflow = await page.getByTestId("containers-table").evaluate((table) => table.scrollWidth - (table.parentElement?.clientWidth ?? 0));
    expect(overflow).toBeLessThanOrEqual(0);

    // The Stats action runs docker.stats for this one container.
    await row.getByTestId("container-stats-button").click();
    const stats = page.getByTestId("stats-dialog");
    await stats.getByTestId("container-stats").waitFor({ timeout: 30_000 });
    expect(await stats.getByTestId("stats-cpu").textContent()).toMatch(/^\d+(\.\d)?% \(100% is one core\)$/);
    expect(await stats.getByTestId("stats-mem").textContent()).toMatch(/^\d+(\.\d)? (B|KiB|MiB|GiB) of \d+(\.\d)? (B|KiB|MiB|GiB|TiB|PiB) \(\d+(\.\d)?%\)$/);
    expect(await stats.getByTestId("stats-net").textContent()).toMatch(/received · .* sent$/);
    expect(await stats.getByTestId("stats-block").textContent()).toMatch(/read · .* written$/);
    await screenshot(page, "host-containers");
    await stats.getByRole("button", { name: "Close" }).click();

    // The real agent's load, per-core CPU and uptime are charted; it has no GPU here, so no GPU chart is drawn.
    await chartPoints(page, "host-chart-load", 1);
    await chartPoints(page, "host-chart-cores", 1);
    await page.getByTestId("host-uptime").waitFor();
    expect(await page.getByTestId("host-chart-gpu").count()).toBe(0);
    expect((await page.getByTestId("fact-hostname").textContent())?.trim()).toBe(os.hostname());

    expect(world.pageErrors).toEqual([]);
  }, 240_000);
});
