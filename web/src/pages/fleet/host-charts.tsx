// The host page's chart panels, from the metric names the agent sends (agent/src/metrics): which names each chart
// reads, and the charts themselves. A chart whose series have no point in the range is left out, not drawn empty.
import { type JSX, Show } from "solid-js";
import { type ChartSeries, TimeChart } from "./charts.tsx";
import { bitsPerSecond, bytes, duration, percent, sensorLabel } from "./format.ts";
import { type Columns, type HostParts, latest } from "./metric-columns.ts";

/** How many of each part are charted: enough for a homelab box, few enough for a readable legend. */
export const CHART_LIMITS = { disks: 9, interfaces: 4, ioDisks: 8, sensors: 12, gpus: 4, cores: 128 } as const;

const cap = <K extends keyof HostParts>(parts: HostParts, kind: K) => parts[kind].slice(0, CHART_LIMITS[kind]);
const coreIndexes = (cores: number) => Array.from({ length: cores }, (_, i) => i);

/** Every name the charts read, the long-standing ones first (they were the page's one read before). */
export function chartNames(parts: HostParts, cores: number): string[] {
  return [
    "cpu.total",
    "mem.used_pct",
    "swap.used_pct",
    ...cap(parts, "disks").map((d) => `disk.${d}.used_pct`),
    ...cap(parts, "interfaces").flatMap((i) => [`net.${i}.rx_bps`, `net.${i}.tx_bps`]),
    "load.1",
    "load.5",
    "load.15",
    "host.uptime_s",
    ...cap(parts, "ioDisks").flatMap((d) => [`io.${d}.read_bps`, `io.${d}.write_bps`]),
    ...cap(parts, "sensors").map((t) => `temp.${t}`),
    ...cap(parts, "gpus").flatMap((g) => [`gpu.${g}.util`, `gpu.${g}.mem_used_pct`, `gpu.${g}.temp`]),
    ...coreIndexes(cores).map((c) => `cpu.core.${c}`),
  ];
}

function column(cols: Columns, name: string): (number | null)[] {
  return cols.values[name] ?? new Array(cols.timestamps.length).fill(null);
}

const hasData = (series: ChartSeries[]) => series.some((s) => s.values.some((v) => v !== null));
const pct = (v: number) => percent(v, 0);
const perSecond = (v: number) => `${bytes(v)}/s`;
const celsius = (v: number | null) => (v === null ? "—" : `${v.toFixed(0)} °C`);
const load = (v: number | null) => (v === null ? "—" : v.toFixed(2));

function ChartPanel(props: { title: string; now: JSX.Element; children: JSX.Element; empty?: string | false; testId?: string }) {
  return (
    <section class="chart-panel" data-testid={props.testId}>
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

/** A panel that is only there while its series have data in the range. */
function OptionalChart(props: {
  title: string;
  now: JSX.Element;
  testId: string;
  series: ChartSeries[];
  columns: Columns;
  from: number;
  to: number;
  stepMs: number;
  format: (v: number) => string;
  yMax?: number;
}) {
  return (
    <Show when={hasData(props.series)}>
      <ChartPanel title={props.title} now={props.now}>
        <TimeChart testId={props.testId} timestamps={props.columns.timestamps} series={props.series} from={props.from} to={props.to} stepMs={props.stepMs} format={props.format} yMax={props.yMax} />
      </ChartPanel>
    </Show>
  );
}

/** `stepMs`: how far apart the points are meant to be (stepOf the history's resolution). */
export function HostCharts(props: { columns: Columns; from: number; to: number; stepMs: number; parts: HostParts; cores: number }) {
  const cols = () => props.columns;
  const series = (label: string, name: string): ChartSeries => ({ label, values: column(cols(), name) });
  const has = (name: string) => (cols().values[name] ?? []).some((v) => v !== null);
  const memory = (): ChartSeries[] => [series("Memory", "mem.used_pct"), ...(has("swap.used_pct") ? [series("Swap", "swap.used_pct")] : [])];
  const disks = (): ChartSeries[] => cap(props.parts, "disks").map((d) => series(d, `disk.${d}.used_pct`));
  const network = (): ChartSeries[] =>
    cap(props.parts, "interfaces").flatMap((i) => [series(`${i} in`, `net.${i}.rx_bps`), series(`${i} out`, `net.${i}.tx_bps`)]);
  // The head shows the host's total; each interface (eth0, and virtual ones such as ifb0) is in its tooltip and the
  // legend: listing them all in the head wrapped it over lines.
  const netNow = () => {
    const names = cap(props.parts, "interfaces");
    const sum = (rate: "rx" | "tx") => names.reduce((n, i) => n + (latest(cols(), `net.${i}.${rate}_bps`) ?? 0), 0);
    const each = names.map((i) => `${i} ↓ ${bitsPerSecond(latest(cols(), `net.${i}.rx_bps`))} ↑ ${bitsPerSecond(latest(cols(), `net.${i}.tx_bps`))}`).join("\n");
    return (
      <span title={each} data-testid="network-now">
        ↓ {bitsPerSecond(sum("rx"))} ↑ {bitsPerSecond(sum("tx"))}
      </span>
    );
  };
  const loads = (): ChartSeries[] => [series("1 min", "load.1"), series("5 min", "load.5"), series("15 min", "load.15")];
  const cores = (): ChartSeries[] => coreIndexes(props.cores).map((c) => series(`core ${c}`, `cpu.core.${c}`));
  const io = (): ChartSeries[] => cap(props.parts, "ioDisks").flatMap((d) => [series(`${d} read`, `io.${d}.read_bps`), series(`${d} write`, `io.${d}.write_bps`)]);
  const ioNow = () => {
    const sum = (rate: "read" | "write") => cap(props.parts, "ioDisks").reduce((n, d) => n + (latest(cols(), `io.${d}.${rate}_bps`) ?? 0), 0);
    return `read ${perSecond(sum("read"))} · write ${perSecond(sum("write"))}`;
  };
  // GPU temperatures sit with the other sensors: one axis in °C.
  const temps = (): ChartSeries[] => [
    ...cap(props.parts, "sensors").map((t) => series(sensorLabel(t), `temp.${t}`)),
    ...cap(props.parts, "gpus").map((g) => series(`GPU ${g}`, `gpu.${g}.temp`)),
  ];
  const hottest = () => {
    const now = temps()
      .map((s) => s.values.findLast((v) => v !== null) ?? null)
      .filter((v): v is number => v !== null);
    return now.length ? `hottest ${celsius(Math.max(...now))}` : "";
  };
  const gpus = (): ChartSeries[] =>
    cap(props.parts, "gpus").flatMap((g) => [series(`GPU ${g} load`, `gpu.${g}.util`), series(`GPU ${g} memory`, `gpu.${g}.mem_used_pct`)]);
  const gpuNow = () =>
    cap(props.parts, "gpus")
      .map((g) => `GPU ${g} ${percent(latest(cols(), `gpu.${g}.util`), 0)} · mem ${percent(latest(cols(), `gpu.${g}.mem_used_pct`), 0)} · ${celsius(latest(cols(), `gpu.${g}.temp`))}`)
      .join(" · ");
  const waiting = "Waiting for the host's first sample to learn its";

  return (
    <div class="card-body">
      <Show when={cols().timestamps.length === 0}>
        <p class="muted" data-testid="metrics-empty">
          No samples in this range yet. A connected host reports every 10 seconds (every 2 while this page is open on "1 hour").
        </p>
      </Show>
      <Show when={latest(cols(), "host.uptime_s")}>
        {(seconds) => (
          <p class="muted" data-testid="host-uptime">
            Up {duration(seconds() * 1000)}
          </p>
        )}
      </Show>
      <div class="chart-grid">
        <ChartPanel title="CPU" now={percent(latest(cols(), "cpu.total"))}>
          <TimeChart testId="host-chart-cpu" timestamps={cols().timestamps} series={[series("CPU", "cpu.total")]} from={props.from} to={props.to} stepMs={props.stepMs} format={pct} yMax={100} />
        </ChartPanel>
        <OptionalChart
          title="Load"
          now={`${load(latest(cols(), "load.1"))} · ${load(latest(cols(), "load.5"))} · ${load(latest(cols(), "load.15"))}`}
          testId="host-chart-load"
          series={loads()}
          columns={cols()}
          from={props.from}
          to={props.to}
          stepMs={props.stepMs}
          format={(v) => v.toFixed(2)}
        />
        <OptionalChart
          title="CPU per core"
          now={`${props.cores} core${props.cores === 1 ? "" : "s"}`}
          testId="host-chart-cores"
          series={cores()}
          columns={cols()}
          from={props.from}
          to={props.to}
          stepMs={props.stepMs}
          format={pct}
          yMax={100}
        />
        <ChartPanel title="Memory" now={percent(latest(cols(), "mem.used_pct"))}>
          <TimeChart testId="host-chart-mem" timestamps={cols().timestamps} series={memory()} from={props.from} to={props.to} stepMs={props.stepMs} format={pct} yMax={100} />
        </ChartPanel>
        <ChartPanel title="Disk usage" now={`${props.parts.disks.length} mount${props.parts.disks.length === 1 ? "" : "s"}`} empty={disks().length === 0 && `${waiting} mounts.`}>
          <TimeChart testId="host-chart-disk" timestamps={cols().timestamps} series={disks()} from={props.from} to={props.to} stepMs={props.stepMs} format={pct} yMax={100} />
        </ChartPanel>
        <OptionalChart title="Disk IO" now={ioNow()} testId="host-chart-io" series={io()} columns={cols()} from={props.from} to={props.to} stepMs={props.stepMs} format={perSecond} />
        <ChartPanel title="Network" now={netNow()} empty={network().length === 0 && `${waiting} network interfaces.`}>
          <TimeChart testId="host-chart-net" timestamps={cols().timestamps} series={network()} from={props.from} to={props.to} stepMs={props.stepMs} format={bitsPerSecond} />
        </ChartPanel>
        <OptionalChart title="Temperatures" now={hottest()} testId="host-chart-temp" series={temps()} columns={cols()} from={props.from} to={props.to} stepMs={props.stepMs} format={(v) => celsius(v)} />
        <OptionalChart title="GPU" now={gpuNow()} testId="host-chart-gpu" series={gpus()} columns={cols()} from={props.from} to={props.to} stepMs={props.stepMs} format={pct} yMax={100} />
      </div>
    </div>
  );
}
