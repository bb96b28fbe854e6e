// A chart of daily counts (UTC days) on uPlot, loaded on first use so the Discord section's first download stays
// small: one line per series with its legend, the y axis from the data (it may go below zero: net joins).
import type uPlot from "uplot";
import { createEffect, createSignal, onCleanup, onMount, Show } from "solid-js";
import { InlineError } from "../../ui/boundary.tsx";

let loader: Promise<typeof uPlot> | undefined;
function loadUPlot(): Promise<typeof uPlot> {
  loader ??= Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(([m]) => m.default);
  // A failed chunk download may succeed on the next try.
  loader.catch(() => {
    loader = undefined;
  });
  return loader;
}

export const DAY_COLORS = ["#8b5cf6", "#4ade80", "#38bdf8", "#fbbf24", "#f472b6", "#f87171", "#a3e635", "#2dd4bf", "#c084fc", "#fb923c", "#94a3b8"];

export type DaySeries = { label: string; values: number[]; color?: string; dashed?: boolean };

const AXIS = { stroke: "#6e6e79", grid: { stroke: "#1c1c22", width: 1 }, ticks: { stroke: "#222228", width: 1 }, font: "11px ui-sans-serif, system-ui, sans-serif" };
const count = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const dayLabel = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });

export function DayChart(props: { testId: string; days: string[]; series: DaySeries[]; height?: number }) {
  let el!: HTMLDivElement;
  const [lib, setLib] = createSignal<typeof uPlot>();
  const [loadError, setLoadError] = createSignal<unknown>();
  let chart: uPlot | undefined;
  let madeFor = "";
  const height = () => props.height ?? 200;
  // Away from the cursor, the legend shows the last day rather than dashes.
  const showLastDay = () => {
    if (chart && (chart.cursor.left ?? -1) < 0 && props.days.length > 0) chart.setLegend({ idx: props.days.length - 1 });
  };

  onMount(() => {
    loadUPlot().then(
      (U) => setLib(() => U),
      (err: unknown) => setLoadError(err),
    );
    const observer = new ResizeObserver(() => {
      if (!chart || el.clientWidth <= 0) return;
      chart.setSize({ width: el.clientWidth, height: chart.height });
      showLastDay();
    });
    observer.observe(el);
    onCleanup(() => observer.disconnect());
  });

  createEffect(() => {
    const U = lib();
    if (!U) return;
    const x = props.days.map((d) => Date.parse(`${d}T00:00:00Z`));
    const data = [x, ...props.series.map((s) => s.values)] as uPlot.AlignedData;
    // Recreated when the series or the range change (the legend and the x range are set at creation).
    const shape = `${props.days[0]}|${props.days.length}|${props.series.map((s) => s.label).join("\u0000")}`;
    if (chart && madeFor === shape) {
      chart.setData(data);
      showLastDay();
      return;
    }
    chart?.destroy();
    madeFor = shape;
    chart = new U(
      {
        width: Math.max(el.clientWidth, 100),
        height: height(),
        ms: 1,
        cursor: { y: false },
        legend: { show: true, live: true },
        scales: {
          x: { time: true, range: () => [x[0] ?? 0, x.at(-1) ?? 1] },
          y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? Math.ceil(max * 1.15) : 1] },
        },
        axes: [
          { ...AXIS, values: (_u, splits) => splits.map((v) => dayLabel.format(v)) },
          { ...AXIS, size: 48, values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? count.format(v) : "")) },
        ],
        series: [
          { value: (_u, v) => (v === null ? "—" : dayLabel.format(v)) },
          ...props.series.map((s, i) => ({
            label: s.label,
            stroke: s.color ?? DAY_COLORS[i % DAY_COLORS.length],
            width: 1.75,
            dash: s.dashed ? [5, 4] : undefined,
            points: { show: props.days.length <= 31, size: 5 },
            value: (_u: uPlot, v: number | null) => (v === null ? "—" : count.format(v)),
          })),
        ],
      },
      data,
      el,
    );
    showLastDay();
  });
  onCleanup(() => chart?.destroy());

  return (
    <div class="chart" data-testid={props.testId} data-days={props.days.length} data-series={props.series.length}>
      <div ref={el} class="chart-canvas" style={{ "min-height": `${height() + 30}px` }} />
      <Show when={loadError()}>{(err) => <InlineError error={err()} />}</Show>
    </div>
  );
}
