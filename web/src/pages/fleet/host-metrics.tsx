// A host's charts: CPU, memory, disks and network over 1 h, 24 h or 7 d. On "1 h" the page also watches the host
// live (a websocket; the agent reports every 2 s meanwhile) and appends each sample; leaving closes it.
// Mounts and interfaces are learned from the samples themselves and remembered per host for the longer ranges.
import type { MetricRange, MetricsResponse } from "@nebula/schema/api/jobs";
import type { Sample } from "@nebula/schema/wire/agent";
import { createAsync } from "@solidjs/router";
import { createMemo, createSignal, For, type JSX, Show, startTransition, useTransition } from "solid-js";
import { getMetrics } from "../../api/client.ts";
import { Badge } from "../../ui/badge.tsx";
import { Boundary } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { type ChartSeries, TimeChart } from "./charts.tsx";
import { bitsPerSecond, percent } from "./format.ts";
import { appendSamples, type Columns, columnsOf, discoverNames, latest } from "./metric-columns.ts";
import { createLiveSamples, type LiveState } from "./sockets.ts";

const RANGES: { value: MetricRange; label: string }[] = [
  { value: "1h", label: "1 hour" },
  { value: "24h", label: "24 hours" },
  { value: "7d", label: "7 days" },
];
const HOUR_MS = 3_600_000;
/** The API reads at most 20 names at once: 3 fixed, up to 9 mounts and 4 interfaces (two names each). */
const MAX_DISKS = 9;
const MAX_INTERFACES = 4;

type Discovered = { disks: string[]; interfaces: string[] };
const storageKey = (agentId: string) => `nebula.metric-names.${agentId}`;

function remembered(agentId: string): Discovered {
  try {
    const saved = JSON.parse(localStorage.getItem(storageKey(agentId)) ?? "null") as Discovered | null;
    if (saved && Array.isArray(saved.disks) && Array.isArray(saved.interfaces)) return saved;
  } catch {
    // Nothing usable saved: learn again from the samples.
  }
  return { disks: [], interfaces: [] };
}

const key = (d: Discovered) => `${d.disks.join("\u0000")}\u0001${d.interfaces.join("\u0000")}`;

const LIVE_BADGE: Record<LiveState, { label: string; tone: "success" | "warning" | "neutral" }> = {
  off: { label: "History", tone: "neutral" },
  connecting: { label: "Connecting…", tone: "neutral" },
  live: { label: "Live", tone: "success" },
  retrying: { label: "Reconnecting…", tone: "warning" },
};

/** Samples appended to one history response; a new response (range or names changed) starts over. */
type LiveTail = { base: MetricsResponse; columns: Columns };

export function HostMetrics(props: { tenantId: string; agentId: string }) {
  const [range, setRange] = createSignal<MetricRange>("1h");
  const [pending, start] = useTransition();
  const [names, setNames] = createSignal<Discovered>(remembered(props.agentId));
  const query = createMemo(() => {
    const n = names();
    return [
      "cpu.total",
      "mem.used_pct",
      "swap.used_pct",
      ...n.disks.slice(0, MAX_DISKS).map((d) => `disk.${d}.used_pct`),
      ...n.interfaces.slice(0, MAX_INTERFACES).flatMap((i) => [`net.${i}.rx_bps`, `net.${i}.tx_bps`]),
    ].join(",");
  });
  const history = createAsync(() => getMetrics(props.tenantId, props.agentId, query(), range()));
  const [tail, setTail] = createSignal<LiveTail | null>(null);

  /** Read only under the Boundary below, so loading a new range suspends the charts, not the page. */
  const columns = (): Columns => {
    const h = history();
    const t = tail();
    if (!h) return { timestamps: [], values: {} };
    return t && t.base === h ? t.columns : columnsOf(h.series);
  };

  function learn(samples: Sample[]) {
    const seen = discoverNames(samples.flatMap((s) => Object.keys(s.values)));
    const merged: Discovered = {
      disks: [...new Set([...names().disks, ...seen.disks])].sort(),
      interfaces: [...new Set([...names().interfaces, ...seen.interfaces])].sort(),
    };
    if (key(merged) === key(names())) return;
    localStorage.setItem(storageKey(props.agentId), JSON.stringify(merged));
    // A transition: the charts stay on screen while the history of the new names loads.
    void startTransition(() => setNames(merged));
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
          <Charts columns={columns()} from={span().from} to={span().to} names={names()} />
        </Show>
      </Boundary>
    </Card>
  );
}

function column(cols: Columns, name: string): (number | null)[] {
  return cols.values[name] ?? new Array(cols.timestamps.length).fill(null);
}

function ChartPanel(props: { title: string; now: JSX.Element; children: JSX.Element; empty?: string | false }) {
  return (
    <section class="chart-panel">
      <div class="chart-head">
        <h3>{props.title}</h3>
        <span class="muted">{props.now}</span>
      </div>
      <Show when={!props.empty} fallback={<p class="faint chart-empty">{props.empty}</p>}>
        {props.children}
      </Show>
    </section>
  );
}

function Charts(props: { columns: Columns; from: number; to: number; names: Discovered }) {
  const has = (name: string) => (props.columns.values[name] ?? []).some((v) => v !== null);
  const pct = (v: number) => percent(v, 0);
  const memory = (): ChartSeries[] => [
    { label: "Memory", values: column(props.columns, "mem.used_pct") },
    ...(has("swap.used_pct") ? [{ label: "Swap", values: column(props.columns, "swap.used_pct") }] : []),
  ];
  const disks = (): ChartSeries[] =>
    props.names.disks.slice(0, MAX_DISKS).map((d) => ({ label: d, values: column(props.columns, `disk.${d}.used_pct`) }));
  const network = (): ChartSeries[] =>
    props.names.interfaces.slice(0, MAX_INTERFACES).flatMap((i) => [
      { label: `${i} in`, values: column(props.columns, `net.${i}.rx_bps`) },
      { label: `${i} out`, values: column(props.columns, `net.${i}.tx_bps`) },
    ]);
  const netNow = () =>
    props.names.interfaces
      .slice(0, MAX_INTERFACES)
      .map((i) => `${i} ↓ ${bitsPerSecond(latest(props.columns, `net.${i}.rx_bps`))} ↑ ${bitsPerSecond(latest(props.columns, `net.${i}.tx_bps`))}`)
      .join(" · ");
  const waiting = "Waiting for the host's first sample to learn its";

  return (
    <div class="card-body">
      <Show when={props.columns.timestamps.length === 0}>
        <p class="muted" data-testid="metrics-empty">
          No samples in this range yet. A connected host reports every 10 seconds (every 2 while this page is open on "1 hour").
        </p>
      </Show>
      <div class="chart-grid">
        <ChartPanel title="CPU" now={percent(latest(props.columns, "cpu.total"))}>
          <TimeChart testId="host-chart-cpu" timestamps={props.columns.timestamps} series={[{ label: "CPU", values: column(props.columns, "cpu.total") }]} from={props.from} to={props.to} format={pct} yMax={100} />
        </ChartPanel>
        <ChartPanel title="Memory" now={percent(latest(props.columns, "mem.used_pct"))}>
          <TimeChart testId="host-chart-mem" timestamps={props.columns.timestamps} series={memory()} from={props.from} to={props.to} format={pct} yMax={100} />
        </ChartPanel>
        <ChartPanel title="Disk usage" now={`${props.names.disks.length} mount${props.names.disks.length === 1 ? "" : "s"}`} empty={disks().length === 0 && `${waiting} mounts.`}>
          <TimeChart testId="host-chart-disk" timestamps={props.columns.timestamps} series={disks()} from={props.from} to={props.to} format={pct} yMax={100} />
        </ChartPanel>
        <ChartPanel title="Network" now={netNow()} empty={network().length === 0 && `${waiting} network interfaces.`}>
          <TimeChart testId="host-chart-net" timestamps={props.columns.timestamps} series={network()} from={props.from} to={props.to} format={bitsPerSecond} />
        </ChartPanel>
      </div>
    </div>
  );
}
