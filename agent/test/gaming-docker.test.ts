// Gaming mode's container switch against a real Docker Engine API (podman's service, test/peers): the GPU
// containers it stops are really stopped, and started again, and the host's samples never call them down meanwhile.
import { randomBytes } from "node:crypto";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeSunshine } from "../../test/fakes/sunshine.ts";
import { BUSYBOX_IMAGE, type PodmanPeer, startPodman } from "../../test/peers/podman.ts";
import { peerMissing } from "../../test/peers/peers.ts";
import { procAlive } from "../src/gaming/device-holders.ts";
import { gamingHandlers } from "../src/gaming/gaming-handlers.ts";
import { GamingHolds } from "../src/gaming/gaming-holds.ts";
import { dockerGpuContainers } from "../src/gaming/gpu-containers.ts";
import { containerMetrics } from "../src/metrics/container-metrics.ts";
import { fixtureHost, gamingConfig, libvirt, virtualClock } from "./support/gaming-host.ts";
import { recordedJob } from "./support/job-context.ts";

const missing = peerMissing("podman");

describe.skipIf(missing)(missing ?? "dockerGpuContainers (podman's Docker API)", () => {
  let peer: PodmanPeer;
  const name = `nebula-plex-${randomBytes(4).toString("hex")}`;
  const signal = new AbortController().signal;

  beforeAll(async () => {
    peer = await startPodman();
    const docker = new Docker({ socketPath: peer.socketPath });
    const container = await docker.createContainer({ name, Image: BUSYBOX_IMAGE, Cmd: ["sleep", "3600"], HostConfig: { NetworkMode: "none" } });
    await container.start();
  });

  afterAll(async () => {
    if (!peer) return;
    await new Docker({ socketPath: peer.socketPath })
      .getContainer(name)
      .remove({ force: true })
      .catch(() => {});
    await peer.stop();
  });

  it("lists, stops and starts a container by name", async () => {
    // busybox sleep as PID 1 ignores SIGTERM: no grace, straight to SIGKILL.
    const containers = dockerGpuContainers(peer.socketPath, { stopGraceSeconds: 0 });
    expect(await containers.listRunning(signal)).toContain(name);
    await containers.stop(name, signal);
    expect(await containers.listRunning(signal)).not.toContain(name);
    await containers.start(name, signal);
    expect(await containers.listRunning(signal)).toContain(name);
  });

  it("treats starting a running container as done", async () => {
    await expect(dockerGpuContainers(peer.socketPath).start(name, signal)).resolves.toBeUndefined();
  });

  it("reports the engine's own message for a missing container", async () => {
    await expect(dockerGpuContainers(peer.socketPath).stop("nebula-no-such-container", signal)).rejects.toThrow(/^docker stop nebula-no-such-container: .*no such container/i);
  });

  it("reports no running = 0 for a container while gaming mode has it stopped, and 0 again once it is down for real", async () => {
    const host = await fixtureHost("D0");
    const sunshine = await startFakeSunshine({ answerAfterPolls: 0 });
    try {
      const config = gamingConfig(host, sunshine.url, { GAMING_STOP_CONTAINERS: name });
      const holds = new GamingHolds();
      const containers = dockerGpuContainers(peer.socketPath, { stopGraceSeconds: 0 });
      const handlers = gamingHandlers(config, { containers, vm: libvirt("shut off").port, sysfs: host.sysfs, clock: virtualClock().clock, isAlive: procAlive(host.procRoot), holds });
      const sample = containerMetrics(peer.socketPath, { stoppedOnPurpose: (container) => holds.stoppedByGaming(container) });
      const running = `container.${name}.running`;

      await handlers["gaming.enable"]({}, recordedJob("gaming.enable").ctx);
      expect(await containers.listRunning(signal)).not.toContain(name);
      const during = await sample();
      expect(during).not.toHaveProperty(running);
      expect(during["containers.total"]).toBeGreaterThanOrEqual(1);

      await handlers["gaming.disable"]({}, recordedJob("gaming.disable").ctx);
      expect((await sample())[running]).toBe(1);

      // Stopped by anyone else, it is down, and "container down" may fire.
      await containers.stop(name, signal);
      expect((await sample())[running]).toBe(0);
    } finally {
      await sunshine.close();
      await host.remove();
    }
  });
});
