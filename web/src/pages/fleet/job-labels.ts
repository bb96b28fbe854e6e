// Each job kind as the job history and its details name it ("Wake-on-LAN", not host.wol); typed against JobKind,
// so a new kind breaks the build here until it has a name.
import type { JobKind } from "@nebula/schema/wire/jobs";

export const JOB_KIND_LABELS = {
  "docker.list": "List containers",
  "docker.inspect": "Inspect container",
  "docker.logs": "Container logs",
  "docker.stats": "Container stats",
  "docker.start": "Start container",
  "docker.stop": "Stop container",
  "docker.restart": "Restart container",
  "docker.pull": "Pull image",
  "docker.compose.up": "Compose up",
  "docker.compose.down": "Compose down",
  "vm.list": "List VMs",
  "vm.state": "VM state",
  "vm.start": "Start VM",
  "vm.shutdown": "Shut down VM",
  "vm.reboot": "Reboot VM",
  "vm.destroy": "Force off VM",
  "gaming.status": "Gaming mode status",
  "gaming.enable": "Gaming mode on",
  "gaming.disable": "Gaming mode off",
  "nas.status": "Storage status",
  "nas.remount": "Remount storage",
  "host.probe": "Probe services",
  "host.probe_url": "Probe a URL",
  "host.wol": "Wake-on-LAN",
  "host.reboot": "Reboot host",
  "deploy.run": "Deploy",
} as const satisfies { readonly [K in JobKind]: string };

/** The kind's name, or the kind itself for one this build does not know (an agent newer than the web app). */
export const jobKindLabel = (kind: string): string => (Object.hasOwn(JOB_KIND_LABELS, kind) ? JOB_KIND_LABELS[kind as JobKind] : kind);
