// Turns the bench's measurements into the printed tables, bench/results/latest.{json,md} and a timestamped JSON.
// Goals are reported as met or missed; the bench never fails on a missed goal (timings are not tests).
import { renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { LatencyRun } from "./http-latency.ts";
import type { LoadResult } from "./latency.ts";

export interface Goal {
  figure: string;
  measured: number;
  unit: "ms" | "bytes" | "percent" | "per-second" | "count";
  /** The measured value must be at most this (or at least, with `atLeast`). */
  goal: number;
  atLeast?: boolean;
  goalText: string;
  met: boolean;
}

export function goal(figure: string, measured: number, unit: Goal["unit"], limit: number, goalText: string): Goal {
  return { figure, measured, unit, goal: limit, goalText, met: measured <= limit };
}

/** A floor rather than a ceiling: throughput. */
export function goalAtLeast(figure: string, measured: number, unit: Goal["unit"], floor: number, goalText: string): Goal {
  return { figure, measured, unit, goal: floor, goalText, atLeast: true, met: measured >= floor };
}

export interface Report {
  goals: Goal[];
  latency: LatencyRun[];
  /** Further sections: heading → rows of [label, value]. */
  details: Record<string, [string, string][]>;
  notes: string[];
}

export const ms = (x: number) => (x < 10 ? `${x.toFixed(2)} ms` : x < 1000 ? `${x.toFixed(1)} ms` : `${(x / 1000).toFixed(2)} s`);
export const bytes = (x: number) => (x < 1024 ? `${x} B` : x < 1024 * 1024 ? `${(x / 1024).toFixed(1)} KiB` : `${(x / 1024 / 1024).toFixed(2)} MiB`);
function formatted(g: Goal): string {
  switch (g.unit) {
    case "ms":
      return ms(g.measured);
    case "bytes":
      return bytes(g.measured);
    case "percent":
      return `${g.measured.toFixed(2)}%`;
    case "per-second":
      return `${Math.round(g.measured).toLocaleString("en-US")}/s`;
    case "count":
      return String(g.measured);
  }
}

function loadCells(r: LoadResult | null): string[] {
  if (!r) return ["stopped early (see notes)", "", "", "", "", "", ""];
  return [ms(r.p50), ms(r.p90), ms(r.p95), ms(r.p99), ms(r.max), ms(r.mean), `${r.throughput.toFixed(0)}/s`];
}

function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const LATENCY_HEADER = ["Requests", "In flight", "p50", "p90", "p95", "p99", "max", "mean", "Throughput"];
const GOAL_HEADER = ["Figure", "Measured", "Goal", "Status"];
const goalRows = (goals: Goal[]) => goals.map((g) => [g.figure, formatted(g), g.goalText, g.met ? "met" : "MISSED"]);
const latencyRows = (rows: LatencyRun[]) => rows.map((r) => [r.name, String(r.concurrency), ...loadCells(r.result)]);

export function printReport(report: Report): string {
  const parts = [
    textTable(GOAL_HEADER, goalRows(report.goals)),
    textTable(LATENCY_HEADER, latencyRows(report.latency)),
    ...Object.entries(report.details).map(([heading, rows]) => `${heading}\n${textTable(["", ""], rows).split("\n").slice(2).join("\n")}`),
    ...(report.notes.length ? [`Notes\n${report.notes.map((n) => `- ${n}`).join("\n")}`] : []),
  ];
  return parts.join("\n\n");
}

export function markdownReport(report: Report, heading: string): string {
  return [
    `# ${heading}`,
    markdownTable(GOAL_HEADER, goalRows(report.goals)),
    "## Latency on loopback",
    markdownTable(LATENCY_HEADER, latencyRows(report.latency)),
    ...Object.entries(report.details).flatMap(([h, rows]) => [`## ${h}`, markdownTable(["What", "Measured"], rows)]),
    ...(report.notes.length ? ["## Notes", report.notes.map((n) => `- ${n}`).join("\n")] : []),
  ].join("\n\n");
}

/** Written through a .tmp file (git-ignored) and renamed, so an interrupted run never leaves half a result. */
function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function writeResults(dir: string, stamp: string, json: unknown, markdown: string): string[] {
  const text = `${JSON.stringify(json, null, 2)}\n`;
  const files = [path.join(dir, "latest.json"), path.join(dir, `${stamp}.json`), path.join(dir, "latest.md")];
  writeAtomic(files[0] as string, text);
  writeAtomic(files[1] as string, text);
  writeAtomic(files[2] as string, `${markdown}\n`);
  return files;
}
