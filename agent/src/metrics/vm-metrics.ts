// VM state for the host's samples: vm.<name>.running (0/1) and vms.running, read with one
// `virsh list --all` every 30 s (a process per 10 s tick would cost more than all other metrics together).
// Feeds the "VM down" alert rule. A host without virsh or libvirt reports nothing and stops asking. A VM parked on
// purpose (the gaming VM while gaming mode is off) has no running value: a series without samples is "unknown" at the
// edge and never fires, where a 0 would fire "VM down" for as long as nobody games.
import { JobError } from "../jobs/job-handler.ts";
import { type VirshOptions, runVirsh } from "../vm/virsh.ts";
import { type MetricValues, metricSegment } from "./metric-values.ts";

const REFRESH_MS = 30_000;
const VIRSH_TIMEOUT_MS = 5_000;

/** `virsh list --all`: " Id   Name   State" / a dashed line / " 1    test   running" / " -    win    shut off". */
export function parseDomainTable(stdout: string): { name: string; state: string }[] {
  const rows: { name: string; state: string }[] = [];
  for (const line of stdout.split("\n").slice(2)) {
    const m = /^\s*(\S+)\s+(\S+)\s+(\S.*?)\s*$/.exec(line);
    if (m?.[2] && m[3]) rows.push({ name: m[2], state: m[3] });
  }
  return rows;
}

export interface VmMetricsOptions extends VirshOptions {
  now?: () => number;
  /** VMs whose state says nothing right now, by libvirt name (the gaming VM while gaming mode is off). Default none. */
  parked?: (vm: string) => boolean;
}

export function vmMetrics(options: VmMetricsOptions): () => Promise<MetricValues> {
  const now = options.now ?? Date.now;
  const parked = options.parked ?? (() => false);
  let cached: MetricValues = {};
  /** libvirt name of each domain in `cached`, by its running metric. */
  let runningMetrics = new Map<string, string>();
  let readAt = Number.NEGATIVE_INFINITY;
  let disabled = false;
  return async () => {
    if (disabled) return {};
    if (now() - readAt >= REFRESH_MS) {
      readAt = now();
      try {
        const domains = parseDomainTable(await runVirsh(options, ["list", "--all"], AbortSignal.timeout(VIRSH_TIMEOUT_MS)));
        const values: MetricValues = { "vms.running": domains.filter((d) => d.state === "running").length };
        runningMetrics = new Map();
        for (const d of domains) {
          const metric = `vm.${metricSegment(d.name)}.running`;
          values[metric] = d.state === "running" ? 1 : 0;
          runningMetrics.set(metric, d.name);
        }
        cached = values;
      } catch (err) {
        // No virsh at all: this host has no VMs to watch. Anything else (libvirtd restarting): try again next refresh.
        if (err instanceof JobError && err.code === "unavailable" && /not installed/.test(err.message)) disabled = true;
        cached = {};
        runningMetrics = new Map();
      }
    }
    // Judged at every sample, not at every read: a switch that begins between two reads reports the VM at once.
    const leftOut = [...runningMetrics].filter(([, name]) => parked(name));
    if (leftOut.length === 0) return cached;
    const values = { ...cached };
    for (const [metric] of leftOut) delete values[metric];
    return values;
  };
}
