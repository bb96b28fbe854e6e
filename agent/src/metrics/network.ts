// Network throughput from /proc/net/dev: bytes received and sent between two reads, per interface.
import { type MetricValues, counterRates } from "./metric-values.ts";

export interface InterfaceCounters {
  rxBytes: number;
  txBytes: number;
}

/**
 * Loopback is local chatter, and veth* are the host ends of container links: Docker makes and removes one per
 * container, which would churn metric names; per-container traffic belongs to the docker module.
 */
function skipped(name: string): boolean {
  return name === "lo" || name.startsWith("veth");
}

export function parseNetDev(text: string): Map<string, InterfaceCounters> {
  const interfaces = new Map<string, InterfaceCounters>();
  for (const line of text.split("\n")) {
    // "  eth0: 1183213088   28303 ..." and, once counters get wide, "eth0:1183213088 ..."
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (!name || skipped(name)) continue;
    const f = line.slice(colon + 1).trim().split(/\s+/);
    if (f.length < 9) continue;
    interfaces.set(name, { rxBytes: Number(f[0]), txBytes: Number(f[8]) });
  }
  return interfaces;
}

/** Bytes per second each way ("bps" here is bytes, as for disks). */
export function networkValues(prev: Map<string, InterfaceCounters>, cur: Map<string, InterfaceCounters>, elapsedSeconds: number): MetricValues {
  return counterRates("net", prev, cur, elapsedSeconds, { rxBytes: "rx_bps", txBytes: "tx_bps" });
}
