// Time-series charts on uPlot, loaded on first use so the app's first download stays small. A chart takes
// aligned columns (timestamps in ms, one value column per series, null for no value) and redraws when they change;
// where the host sent nothing for a while the line breaks (breakGaps) rather than joining across the outage.
import type uPlot from "uplot";
import { createEffect, createSignal, onCleanup, onMount, Show } from "solid-js";
import { InlineError } from "../../ui/boundary.tsx";
import { breakGaps } from "./metric-columns.ts";

let loader: Promise<typeof uPlot> | undefined;
function loadUPlot(): Promise<typeof uPlot> {
  loader ??= Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(([m]) => m.default);
  // A failed chunk download may succeed on the next try.
  loader.catch(() => {
    loader = undefined;
  });
  return loader;
}

export const SERIES_COLORS = ["#8b5cf6", "#4ade80", "#38bdf8", "#fbbf24", "#f472b6", "#f87171", "#a3e635", "#2dd4bf"];

export type ChartSeries = { label: string; values: (number | null)[] };

const AXIS = { stroke: "#6e6e79", grid: { stroke: "#1c1c22", width: 1 }, ticks: { stroke: "#222228", width: 1 }, font: "11px ui-sans-serif, system-ui, sans-serif" };

/** The y axis as wide as its longest label ("977 KiB/s", "12.5 Mbit/s"): a fixed width clipped the longer ones. */
function yAxisSize(u: uPlot, values: string[] | null, axisIdx: number): number {
  const axis = u.axes[axisIdx];
  const longest = (values ?? []).reduce((a, v) => (v.length > a.length ? v : a), "");
  let size = (axis?.ticks?.size ?? 10) + (axis?.gap ?? 5) + 6;
  if (longest) {
    u.ctx.font = AXIS.font;
    size += u.ctx.measureText(longest).width;
  }
  return Math.max(48, Math.ceil(size));
}

/** The legend's time as the axis reads it ("Nov 26, 3:08 AM"), not uPlot's default 2026-11-26 3:08am. */
const LEGEND_TIME = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });

function withGaps(timestamps: number[], columns: (number | null)[][], stepMs: number): uPlot.AlignedData {
  const drawn = breakGaps(timestamps, columns, stepMs);
  return [drawn.timestamps, ...drawn.columns];
}

function countPoints(series: ChartSeries[]): number {
  return series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0);
}

/** Creates the chart once uPlot is loaded, re-creates it when the set of series changes, else only swaps the data. */
function useUPlot(el: () => HTMLDivElement, make: (U: typeof uPlot, width: number) => uPlot.Options, data: () => uPlot.AlignedData, shape: () => string) {
  const [lib, setLib] = createSignal<typeof uPlot>();
  const [loadError, setLoadError] = createSignal<unknown>();
  let chart: uPlot | undefined;
  let madeFor = "";
  onMount(() => {
    loadUPlot().then(
      (U) => setLib(() => U),
      (err: unknown) => setLoadError(err),
    );
    const observer = new ResizeObserver(() => {
      if (chart && el().clientWidth > 0) chart.setSize({ width: el().clientWidth, height: chart.height });
    });
    observer.observe(el());
    onCleanup(() => observer.disconnect());
  });
  createEffect(() => {
    const U = lib();
    if (!U) return;
    const d = data();
    const s = shape();
    if (!chart || madeFor !== s) {
      chart?.destroy();
      chart = new U(make(U, Math.max(el().clientWidth, 100)), d, el());
      madeFor = s;
    } else chart.setData(d);
    // Away from the cursor, the legend shows the latest values rather than dashes.
    const last = d[0].length - 1;
    if (last >= 0 && (chart.cursor.left ?? -1) < 0) chart.setLegend({ idx: last });
  });
  onCleanup(() => chart?.destroy());
  return loadError;
}

export function TimeChart(props: {
  testId: string;
  timestamps: number[];
  series: ChartSeries[];
  /** The window shown, epoch ms, so a chart with few points still spans its range. */
  from: number;
  to: number;
  /** How far apart the points are meant to be (stepOf the response's resolution): wider gaps break the line. */
  stepMs: number;
  format: (value: number) => string;
  /** Fixed y range (percentages); otherwise from the data, starting at zero. */
  yMax?: number;
  height?: number;
}) {
  let el!: HTMLDivElement;
  const loadError = useUPlot(
    () => el,
    (_U, width) => ({
      width,
      height: props.height ?? 180,
      ms: 1,
      cursor: { y: false },
      legend: { show: true, live: true },
      scales: {
        x: { time: true, range: () => [props.from, props.to] },
        y: { range: (_u, _min, max) => [0, props.yMax ?? (max > 0 ? max * 1.1 : 1)] },
      },
      axes: [
        { ...AXIS },
        { ...AXIS, size: yAxisSize, values: (_u, splits) => splits.map((v) => props.format(v)) },
      ],
      series: [
        { label: "Time", value: (_u: uPlot, v: number | null) => (v === null ? "—" : LEGEND_TIME.format(v)) },
        ...props.series.map((s, i) => ({
          label: s.label,
          stroke: SERIES_COLORS[i % SERIES_COLORS.length],
          width: 1.5,
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => (v === null ? "—" : props.format(v)),
        })),
      ],
    }),
    () => withGaps(props.timestamps, props.series.map((s) => s.values), props.stepMs),
    () => props.series.map((s) => s.label).join("\u0000"),
  );
  return (
    <div class="chart" data-testid={props.testId} data-points={countPoints(props.series)}>
      <div ref={el} class="chart-canvas" style={{ "min-height": `${(props.height ?? 180) + 30}px` }} />
      <Show when={loadError()}>{(err) => <InlineError error={err()} />}</Show>
    </div>
  );
}

/** A tiny line without axes or legend: the shape of the last hour in a table cell. */
/** `unit: "ms"` scales to the data (latencies) instead of 0-100 (percentages). */
export function Sparkline(props: { timestamps: number[]; values: (number | null)[]; from: number; to: number; stepMs: number; testId?: string; label: string; unit?: "pct" | "ms" }) {
  let el!: HTMLDivElement;
  useUPlot(
    () => el,
    () => ({
      width: 120,
      height: 28,
      ms: 1,
      legend: { show: false },
      cursor: { show: false },
      scales: {
        // The data's own span once there are two points: a host added minutes ago still shows a line, not a dot.
        x: { time: true, range: (_u, min, max) => (props.timestamps.length >= 2 ? [min, max] : [props.from, props.to]) },
        y: { range: props.unit === "ms" ? (_u, _min, max) => [0, Math.max(1, max * 1.15)] : () => [0, 100] },
      },
      axes: [{ show: false }, { show: false }],
      series: [{}, { stroke: SERIES_COLORS[0], fill: "rgba(139, 92, 246, 0.18)", width: 1.25, spanGaps: false }],
    }),
    () => withGaps(props.timestamps, [props.values], props.stepMs),
    () => "spark",
  );
  return (
    <div
      ref={el}
      class="sparkline"
      role="img"
      aria-label={props.label}
      data-testid={props.testId}
      data-points={props.values.filter((v) => v !== null).length}
    />
  );
}
