// host.* job handlers: Wake-on-LAN, service probes (configured by name, or any URL for admins) and (owner-only,
// confirmed) host reboot.
import { type JobHandlers, JobError } from "../jobs/job-handler.ts";
import { type CommandRunner, execFileRunner } from "./command-runner.ts";
import type { HostConfig } from "./host-config.ts";
import { probeService } from "./service-probe.ts";
import { sendMagicPacket } from "./wake-on-lan.ts";

export interface HostDeps {
  run: CommandRunner;
}

export function hostHandlers(config: HostConfig, deps: Partial<HostDeps> = {}): JobHandlers {
  const run = deps.run ?? execFileRunner;
  return {
    "host.wol": async ({ mac, broadcast }, ctx) => {
      const sent = await sendMagicPacket(mac, { address: broadcast, port: config.wolPort });
      ctx.progress("wol", "ok", `magic packet for ${mac} sent to ${broadcast}:${config.wolPort}`);
      return { mac, address: broadcast, port: config.wolPort, bytes: sent.bytes };
    },
    // By name only: the address is the owner's (NEBULA_PROBES), so a viewer cannot point the agent at the LAN.
    "host.probe": async ({ probe, timeoutMs }, ctx) => {
      const target = config.probes.find((p) => p.name === probe);
      if (!target) throw new JobError("not_found", `No probe named "${probe}" is configured on this host (NEBULA_PROBES)`);
      return probeService(target.kind, target.url, { timeoutMs, signal: ctx.signal });
    },
    // Any URL: the edge sends this kind for admins only (JOB_KINDS), and host.probe's schema has no url to smuggle one in.
    "host.probe_url": async ({ kind, url, timeoutMs }, ctx) => probeService(kind, url, { timeoutMs, signal: ctx.signal }),
    "host.reboot": async (_params, ctx) => {
      // The schema already demands confirm: true and the owner role; this is the host's own last word.
      if (!config.rebootAllowed) throw new JobError("not_allowed", "Reboot is disabled on this host (NEBULA_HOST_REBOOT=deny)");
      ctx.progress("reboot", "running", "asking systemd to reboot");
      try {
        await run("systemctl", ["reboot"], { signal: ctx.signal });
      } catch (err) {
        throw new JobError("failed", err instanceof Error ? err.message : String(err));
      }
      ctx.progress("reboot", "ok", "reboot scheduled by systemd; the agent will reconnect after boot");
      return { rebooting: true };
    },
  };
}
