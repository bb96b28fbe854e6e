// Host jobs as the owner sees them: a magic packet on the wire, probes that read each service's own answer,
// and a reboot that only ever reaches systemd as `systemctl reboot`.
import dgram from "node:dgram";
import type { AddressInfo } from "node:net";
import { agentWire } from "@nebula/schema";
import type { AgentMessage, JobResult } from "@nebula/schema/wire/agent";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeService, startFakeService } from "../../test/fakes/homelab-services.ts";
import { installFakeSystemctl } from "../../test/fakes/systemctl.ts";
import type { CommandRunner, Program } from "../src/host/command-runner.ts";
import { loadHostConfig } from "../src/host/host-config.ts";
import { hostHandlers } from "../src/host/host-handlers.ts";
import { JobRunner } from "../src/jobs/job-runner.ts";
import { magicPacket } from "../src/host/wake-on-lan.ts";
import { recordedJob } from "./support/job-context.ts";

function params<K extends agentWire.JobKind>(kind: K, raw: unknown): agentWire.JobParams<K> {
  return agentWire.JOB_KINDS[kind].params.parse(raw) as agentWire.JobParams<K>;
}

const services: FakeService[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
});
async function service(spec: Parameters<typeof startFakeService>[0]) {
  const s = await startFakeService(spec);
  services.push(s);
  return s;
}

describe("host.wol", () => {
  it("sends 6 x 0xFF then the MAC 16 times to the broadcast address and port", async () => {
    const receiver = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => receiver.bind(0, "127.0.0.1", resolve));
    const received = new Promise<Buffer>((resolve) => receiver.once("message", (msg) => resolve(msg)));
    const { port } = receiver.address() as AddressInfo;
    const handlers = hostHandlers({ wolPort: port, rebootAllowed: false, probes: [] });
    const { ctx, progress: steps } = recordedJob("host.wol");

    const result = await handlers["host.wol"]?.(params("host.wol", { mac: "AA:bb:cc:00:11:22", broadcast: "127.0.0.1" }), ctx);
    const packet = await received;
    receiver.close();

    const mac = [0xaa, 0xbb, 0xcc, 0x00, 0x11, 0x22];
    expect([...packet]).toEqual([...Array(6).fill(0xff), ...Array.from({ length: 16 }, () => mac).flat()]);
    expect(result).toEqual({ mac: "AA:bb:cc:00:11:22", address: "127.0.0.1", port, bytes: 102 });
    expect(steps).toEqual([{ step: "wol", status: "ok", message: `magic packet for AA:bb:cc:00:11:22 sent to 127.0.0.1:${port}` }]);
  });

  it("accepts dash-separated MACs", () => {
    expect(magicPacket("00-11-22-33-44-55").subarray(6, 12)).toEqual(Buffer.from("001122334455", "hex"));
  });
});

describe("host.probe_url (admins: any URL)", () => {
  const handlers = hostHandlers({ wolPort: 9, rebootAllowed: false, probes: [] });
  const probe = (raw: unknown) => handlers["host.probe_url"]?.(params("host.probe_url", raw), recordedJob("host.probe_url").ctx);

  it("reads Plex's identity document", async () => {
    const plex = await service({ kind: "plex", machineIdentifier: "abc123", version: "1.41.3.9314-a0bfb8370" });
    const result = await probe({ kind: "plex", url: plex.url });
    expect(result).toMatchObject({ up: true, status: 200, detail: "Plex 1.41.3.9314-a0bfb8370", info: { machineIdentifier: "abc123", version: "1.41.3.9314-a0bfb8370" } });
    expect(plex.requests).toEqual(["/identity"]);
  });

  it("keeps the base path of a service behind a reverse proxy", async () => {
    const ha = await service({ kind: "home-assistant" });
    const result = await probe({ kind: "http", url: `${ha.url}/some/base/` });
    expect(result).toMatchObject({ up: true, status: 404 });
    expect(ha.requests).toEqual(["/some/base"]);
  });

  it("calls Home Assistant up when /api/ says API running, and up-but-needs-token on 401", async () => {
    const open = await service({ kind: "home-assistant" });
    expect(await probe({ kind: "home-assistant", url: open.url })).toMatchObject({ up: true, status: 200, detail: "API running." });
    const locked = await service({ kind: "home-assistant", token: "secret" });
    expect(await probe({ kind: "home-assistant", url: locked.url })).toMatchObject({ up: true, status: 401, detail: expect.stringMatching(/needs a long-lived access token/) });
  });

  it("reads MinIO's liveness endpoint", async () => {
    const live = await service({ kind: "minio", healthy: true });
    expect(await probe({ kind: "minio", url: live.url })).toMatchObject({ up: true, status: 200 });
    const down = await service({ kind: "minio", healthy: false });
    expect(await probe({ kind: "minio", url: down.url })).toMatchObject({ up: false, status: 503 });
  });

  it("does not mistake another server for the service it was asked about", async () => {
    const minio = await service({ kind: "minio", healthy: true });
    expect(await probe({ kind: "plex", url: minio.url })).toMatchObject({ up: false, status: 404 });
  });

  it("answers down, not hung, when a service never replies", async () => {
    const silent = await service({ kind: "silent" });
    const result = await probe({ kind: "http", url: silent.url, timeoutMs: 200 });
    expect(result).toMatchObject({ up: false, status: null, detail: "no answer within 200 ms" });
  });

  it("answers down when nothing listens", async () => {
    const gone = await service({ kind: "minio", healthy: true });
    await gone.close();
    services.pop();
    expect(await probe({ kind: "minio", url: gone.url })).toMatchObject({ up: false, status: null, detail: "unreachable: ECONNREFUSED" });
  });
});

describe("host.probe (viewers: a configured probe by name)", () => {
  /** The agent's job runner as main.ts builds it, with host handlers for NEBULA_PROBES; answers each job's result. */
  function agentWithProbes(probes: string) {
    const sent: AgentMessage[] = [];
    const runner = new JobRunner({ handlers: hostHandlers(loadHostConfig({ NEBULA_PROBES: probes })), send: (m) => sent.push(m) > 0 });
    let n = 0;
    return async (kind: string, jobParams: unknown): Promise<JobResult> => {
      const id = `job_${String(++n).padStart(16, "0")}`;
      runner.receive({ type: "job", id, kind, params: jobParams, deadline: Date.now() + 60_000, requestedBy: { id: "usr_viewer", name: "viewer" } });
      await runner.idle();
      const result = sent.find((m): m is JobResult => m.type === "job_result" && m.id === id);
      if (!result) throw new Error(`no result for ${id}`);
      return result;
    };
  }

  it("probes the service configured under that name, at the configured address and in its kind's format", async () => {
    const plex = await service({ kind: "plex", machineIdentifier: "abc123", version: "1.41.3.9314-a0bfb8370" });
    const run = agentWithProbes(`media=plex:${plex.url}`);
    expect(await run("host.probe", { probe: "media" })).toMatchObject({ ok: true, result: { up: true, status: 200, detail: "Plex 1.41.3.9314-a0bfb8370" } });
    expect(plex.requests).toEqual(["/identity"]);
  });

  it("refuses on its own a URL under host.probe and a name it was not given, and requests nothing", async () => {
    const lan = await service({ kind: "minio", healthy: true });
    const run = agentWithProbes(`site=http:${lan.url}/configured`);
    // Whatever the edge lets through, host.probe carries no address: the agent's own schema refuses one.
    expect(await run("host.probe", { kind: "http", url: `${lan.url}/admin` })).toMatchObject({ ok: false, error: { code: "invalid_params" } });
    expect(await run("host.probe", { probe: "site", url: `${lan.url}/admin` })).toMatchObject({ ok: false, error: { code: "invalid_params" } });
    expect(await run("host.probe", { probe: "router" })).toMatchObject({
      ok: false,
      error: { code: "not_found", message: 'No probe named "router" is configured on this host (NEBULA_PROBES)' },
    });
    expect(lan.requests).toEqual([]);
  });
});

describe("host.reboot", () => {
  function recordingRunner() {
    const calls: [Program, string[]][] = [];
    const run: CommandRunner = async (program, args) => {
      calls.push([program, [...args]]);
      return { stdout: "", stderr: "" };
    };
    return { calls, run };
  }

  it("runs exactly `systemctl reboot` once confirmed", async () => {
    const { calls, run } = recordingRunner();
    const handlers = hostHandlers({ wolPort: 9, rebootAllowed: true, probes: [] }, { run });
    const { ctx, progress: steps } = recordedJob("host.reboot");
    expect(await handlers["host.reboot"]?.(params("host.reboot", { confirm: true }), ctx)).toEqual({ rebooting: true });
    expect(calls).toEqual([["systemctl", ["reboot"]]]);
    expect(steps.map((s) => s.status)).toEqual(["running", "ok"]);
  });

  it("never reaches the runner without confirm: true", () => {
    expect(agentWire.parseJob("host.reboot", {})).toMatchObject({ ok: false });
    expect(agentWire.parseJob("host.reboot", { confirm: "yes" })).toMatchObject({ ok: false });
  });

  it("is refused on a host configured to deny reboots", async () => {
    const { calls, run } = recordingRunner();
    const handlers = hostHandlers(loadHostConfig({ NEBULA_HOST_REBOOT: "deny" }), { run });
    await expect(handlers["host.reboot"]?.(params("host.reboot", { confirm: true }), recordedJob("host.reboot").ctx)).rejects.toMatchObject({ code: "not_allowed" });
    expect(calls).toEqual([]);
  });
});

describe("host.reboot through the real runner", () => {
  it("reaches systemd as `systemctl reboot` (polkit's login1.reboot lets nebula-agent), and reports a refusal", async () => {
    const systemctl = installFakeSystemctl();
    try {
      const handlers = hostHandlers({ wolPort: 9, rebootAllowed: true, probes: [] });
      expect(await handlers["host.reboot"]?.(params("host.reboot", { confirm: true }), recordedJob("host.reboot").ctx)).toEqual({ rebooting: true });
      expect(systemctl.calls()).toEqual([["reboot"]]);
      systemctl.failWith(1);
      await expect(handlers["host.reboot"]?.(params("host.reboot", { confirm: true }), recordedJob("host.reboot").ctx)).rejects.toMatchObject({ code: "failed" });
    } finally {
      systemctl.remove();
    }
  });
});

describe("loadHostConfig", () => {
  it("defaults to port 9 and reboots allowed", () => {
    expect(loadHostConfig({})).toEqual({ wolPort: 9, rebootAllowed: true, probes: [] });
  });

  it("names every bad variable", () => {
    expect(() => loadHostConfig({ NEBULA_WOL_PORT: "99999", NEBULA_HOST_REBOOT: "maybe" })).toThrow(
      expect.objectContaining({
        name: "AgentConfigError",
        problems: [
          'NEBULA_WOL_PORT: must be a UDP port 1-65535 (got "99999")',
          'NEBULA_HOST_REBOOT: must be "allow" or "deny" (got "maybe")',
        ],
      }),
    );
  });
});
