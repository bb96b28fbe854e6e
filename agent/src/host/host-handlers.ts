// host.* job handlers: Wake-on-LAN, service probes and (owner-only, confirmed) host reboot.
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
    "host.probe": async ({ kind, url, timeoutMs }, ctx) => probeService(kind, url, { timeoutMs, signal: ctx.signal }),
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
