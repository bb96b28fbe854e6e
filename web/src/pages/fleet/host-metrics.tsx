// A host's charts over 1 h, 24 h or 7 d: CPU (total and per core), load, memory, disks (usage and IO), network,
// temperatures and GPUs, and its uptime. On "1 h" the page also watches the host live (a websocket; the agent
// reports every 2 s meanwhile) and appends each sample; leaving closes it. Mounts, interfaces, disks, sensors and
// GPUs are learned from the samples themselves and remembered per host for the longer ranges.
import type { MetricRange, MetricsResponse } from "@nebula/schema/api/jobs";
import type { Sample } from "@nebula/schema/wire/agent";
import { createAsync } from "@solidjs/router";
import { createMemo, createSignal, For, Show, startTransition, useTransition } from "solid-js";
import { getMetrics } from "../../api/client.ts";
import { Badge } from "../../ui/badge.tsx";
import { Boundary } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { CHART_LIMITS, chartNames, HostCharts } from "./host-charts.tsx";
import { appendSamples, type Columns, columnsOf, discoverNames, type HostParts, mergeParts, mergeResponses, nameBatches, PART_KINDS, stepOf } from "./metric-columns.ts";
import { createLiveSamples, type LiveState } from "./sockets.ts";

const RANGES: { value: MetricRange; label: string }[] = [
  { value: "1h", label: "1 hour" },
  { value: "24h", label: "24 hours" },
  { value: "7d", label: "7 days" },
];
const HOUR_MS = 3_600_000;
/** The metrics API reads at most this many names at once (api.MAX_SERIES_NAMES; zod stays out of the bundle). */
const MAX_NAMES_PER_READ = 20;

const NO_PARTS: HostParts = { disks: [], interfaces: [], ioDisks: [], sensors: [], gpus: [] };
const storageKey = (agentId: string) => `nebula.metric-names.${agentId}`;

/** What was learned about this host before; a record saved before a kind existed simply lacks it. */
function remembered(agentId: string): HostParts {
  try {
    const saved = JSON.parse(localStorage.getItem(storageKey(agentId)) ?? "null") as Partial<HostParts> | null;
    if (saved && typeof saved === "object" && PART_KINDS.every((k) => saved[k] === undefined || Array.isArray(saved[k]))) return mergeParts(NO_PARTS, saved);
  } catch {
    // Nothing usable saved: learn again from the samples.
  }
  return NO_PARTS;
}

const partsKey = (p: HostParts) => PART_KINDS.map((k) => p[k].join("\u0000")).join("\u0001");

const LIVE_BADGE: Record<LiveState, { label: string; tone: "success" | "warning" | "neutral" }> = {
  off: { label: "History", tone: "neutral" },
  connecting: { label: "Connecting…", tone: "neutral" },
  live: { label: "Live", tone: "success" },
  retrying: { label: "Reconnecting…", tone: "warning" },
};

/** Samples appended to one history response; a new response (range or names changed) starts over. */
type LiveTail = { base: MetricsResponse; columns: Columns };

export function HostMetrics(props: { tenantId: string; agentId: string; cpuCount?: number }) {
  const [range, setRange] = createSignal<MetricRange>("1h");
  const [pending, start] = useTransition();
  const [parts, setParts] = createSignal<HostParts>(remembered(props.agentId));
  const cores = () => Math.min(props.cpuCount ?? 0, CHART_LIMITS.cores);
  // Batches in a fixed order (the first is what the page always read), so a newly learned sensor refetches only its batch and those after it.
  const batches = createMemo(() => nameBatches(chartNames(parts(), cores()), MAX_NAMES_PER_READ));
  const history = createAsync(async () => {
    const r = range();
    return mergeResponses(await Promise.all(batches().map((names) => getMetrics(props.tenantId, props.agentId, names, r))));
  });
  const [tail, setTail] = createSignal<LiveTail | null>(null);

  /** Read only under the Boundary below, so loading a new range suspends the charts, not the page. */
  const columns = (): Columns => {
    const h = history();
    const t = tail();
    if (!h) return { timestamps: [], values: {} };
    return t && t.base === h ? t.columns : columnsOf(h.series);
  };

  function learn(samples: Sample[]) {
    const merged = mergeParts(parts(), discoverNames(samples.flatMap((s) => Object.keys(s.values))));
    if (partsKey(merged) === partsKey(parts())) return;
    localStorage.setItem(storageKey(props.agentId), JSON.stringify(merged));
    // A transition: the charts stay on screen while the history of the new names loads.
    void startTransition(() => setParts(merged));
  }

  const live = createLiveSamples(
    () => (range() === "1h" ? { tenantId: props.tenantId, agentId: props.agentId } : null),
    (samples) => {
      learn(samples);
      const h = history();
      if (range() !== "1h" || !h || h.range !== "1h") return;
      const base = columns();
      const last = samples.reduce((m, s) => Math.max(m, s.at), base.timestamps.at(-1) ?? 0);
      setTail({ base: h, columns: appendSamples(base, samples, last - HOUR_MS) });
    },
  );

  const span = () => {
    const h = history();
    const last = columns().timestamps.at(-1) ?? 0;
    const to = Math.max(h?.to ?? 0, range() === "1h" ? last : 0);
    return { from: range() === "1h" ? to - HOUR_MS : (h?.from ?? 0), to };
  };

  return (
    <Card
      title="Metrics"
      testId="host-metrics"
      description={
        <span data-testid="live-state" data-state={live()}>
          <Badge tone={LIVE_BADGE[live()].tone}>{LIVE_BADGE[live()].label}</Badge>
        </span>
      }
      actions={
        <fieldset class="segmented">
          <legend class="sr-only">Time range</legend>
          <For each={RANGES}>
            {(r) => (
              <button
                type="button"
                class="segment"
                classList={{ active: range() === r.value }}
                aria-pressed={range() === r.value}
                data-testid={`range-${r.value}`}
                disabled={pending()}
                onClick={() => void start(() => setRange(r.value))}
              >
                {r.label}
              </button>
            )}
          </For>
        </fieldset>
      }
    >
      <Boundary>
        <Show when={history()}>
          <HostCharts columns={columns()} from={span().from} to={span().to} stepMs={stepOf(history()?.resolution ?? "raw")} parts={parts()} cores={cores()} />
        </Show>
      </Boundary>
    </Card>
  );
}
