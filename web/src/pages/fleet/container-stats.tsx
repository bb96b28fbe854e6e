// Per-container CPU and memory on the Containers tab: live from the host's metrics samples (every sample carries
// container.<name>.cpu, .mem_bytes and .mem_pct), and on demand a docker.stats reading with network and block IO.
import type { ContainerStatsSample, ContainerSummary } from "@nebula/schema/wire/job-results";
import { createAsync, revalidate } from "@solidjs/router";
import { type Accessor, createSignal, type JSX, Show } from "solid-js";
import { getJobReading } from "../../api/client.ts";
import { Boundary } from "../../ui/boundary.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { bytes, containerName, percent } from "./format.ts";
import { useHost } from "./host-context.tsx";
import { JobReading, RefreshButton, readingKey } from "./job-ui.tsx";
import { createLiveSamples, type LiveState } from "./sockets.ts";

export type ContainerNow = { cpu: number | null; memBytes: number | null; memPct: number | null };

/** The agent's metric segment for a container name: characters the wire forbids become "_" (agent: metricSegment). */
const segment = (name: string) => name.replace(/[^A-Za-z0-9_:@/+-]/g, "_");

/**
 * Watches the host live while the tab is open (the agent reports every 2 s meanwhile) and keeps the containers'
 * values from the latest sample: a container missing from it has stopped or gone, and shows no numbers.
 */
export function createContainerNow(): { now: (c: ContainerSummary) => ContainerNow; live: Accessor<LiveState> } {
  const host = useHost();
  const [values, setValues] = createSignal<Record<string, number>>({});
  const live = createLiveSamples(
    () => ({ tenantId: host.tenantId, agentId: host.agentId }),
    (samples) => {
      const last = samples.reduce<(typeof samples)[number] | undefined>((m, s) => (!m || s.at > m.at ? s : m), undefined);
      if (last) setValues(last.values);
    },
  );
  return {
    live,
    now: (c) => {
      const key = `container.${segment(containerName(c))}`;
      const v = values();
      return { cpu: v[`${key}.cpu`] ?? null, memBytes: v[`${key}.mem_bytes`] ?? null, memPct: v[`${key}.mem_pct`] ?? null };
    },
  };
}

export function ContainerCpuCell(props: { now: ContainerNow }) {
  return (
    <td class="nowrap" data-testid="container-cpu">
      {percent(props.now.cpu)}
    </td>
  );
}

export function ContainerMemCell(props: { now: ContainerNow }) {
  return (
    <td class="nowrap" data-testid="container-mem" title="Memory in use, without reclaimable page cache; the share is of the container's limit">
      {bytes(props.now.memBytes)}
      <Show when={props.now.memPct !== null}>
        <span class="faint"> · {percent(props.now.memPct)}</span>
      </Show>
    </td>
  );
}

/** One docker.stats reading for a container: CPU, memory used of its limit, network and block IO since it started. */
export function StatsDialog(props: { container: ContainerSummary; onClose: () => void }) {
  const host = useHost();
  const params = () => JSON.stringify({ id: props.container.id });
  const reading = createAsync(() => getJobReading(host.tenantId, host.agentId, "docker.stats", params()));
  const refresh = () => revalidate(readingKey(host.tenantId, host.agentId, "docker.stats", params()));
  const row = (label: string, value: JSX.Element, testId: string) => (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </>
  );
  return (
    <Dialog open title={`Stats of ${containerName(props.container)}`} onClose={() => props.onClose()} testId="stats-dialog">
      <Boundary>
        <JobReading<ContainerStatsSample> job={reading()} subject="Docker" onRetry={refresh}>
        {(s) => (
          <dl class="kv" data-testid="container-stats">
            {row("CPU", `${percent(s.cpuPercent)} (100% is one core)`, "stats-cpu")}
            {row("Memory", `${bytes(s.memoryBytes)} of ${bytes(s.memoryLimitBytes)} (${percent(s.memoryPercent)})`, "stats-mem")}
            {row("Network", `${bytes(s.netRxBytes)} received · ${bytes(s.netTxBytes)} sent`, "stats-net")}
            {row("Block IO", `${bytes(s.blockReadBytes)} read · ${bytes(s.blockWriteBytes)} written`, "stats-block")}
            {row("Processes", s.pids, "stats-pids")}
          </dl>
        )}
        </JobReading>
      </Boundary>
      <div class="dialog-actions">
        <RefreshButton label="Read the stats again" onClick={refresh} />
        <button type="button" class="btn" onClick={() => props.onClose()}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
