// Gaming mode's container switch against a real Docker Engine API (podman's service, test/peers): the GPU
// containers it stops are really stopped, and started again.
import { randomBytes } from "node:crypto";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSYBOX_IMAGE, type PodmanPeer, startPodman } from "../../test/peers/podman.ts";
import { peerMissing } from "../../test/peers/peers.ts";
import { dockerGpuContainers } from "../src/gaming/gpu-containers.ts";

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
});
