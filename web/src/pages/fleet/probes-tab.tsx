// Host > Probes: the services this host's agent probes every metrics interval (NEBULA_PROBES): up or down, latency
// now and over the last hour, uptime, and when it was last probed. The list comes from the agent's hello (names and
// kinds, never URLs); the values are the probe.<name>.up / .latency_ms metrics the hub stores like any other.
import type { Agent } from "@nebula/schema/api/agents";
import { MAX_SERIES_NAMES, type MetricsResponse } from "@nebula/schema/api/jobs";
import { createAsync, revalidate } from "@solidjs/router";
import { Show } from "solid-js";
import { getMetrics } from "../../api/client.ts";
import { Badge, type BadgeTone } from "../../ui/badge.tsx";
import { Boundary } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ListIcon } from "../../ui/icons.tsx";
import { ListTable } from "../../ui/table.tsx";
import { TimeAgo } from "../../ui/time.tsx";
import { Sparkline } from "./charts.tsx";
import { useRefresh } from "./fleet-card.tsx";
import { useHost } from "./host-context.tsx";
import { RefreshButton } from "./job-ui.tsx";
import { type Columns, columnsOf, latest, mergeResponses, nameBatches, stepOf } from "./metric-columns.ts";

const KIND_LABELS: Record<string, string> = { plex: "Plex", "home-assistant": "Home Assistant", minio: "MinIO", http: "HTTP" };
/** A round every 10 s: a minute without one means the agent stopped probing (or reporting), not that the service is up. */
const STALE_MS = 60_000;
const RANGE = "1h";

type Probe = { name: string; kind: string };

/** Host facts are a loose record (whatever the last hello said): keep only well-formed probe entries. */
function probesOf(agent: Agent): Probe[] {
  const raw = agent.hostFacts?.probes;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((p: unknown) => {
    const { name, kind } = (p ?? {}) as Record<string, unknown>;
    return typeof name === "string" && typeof kind === "string" ? [{ name, kind }] : [];
  });
}

const upMetric = (p: Probe) => `probe.${p.name}.up`;
const latencyMetric = (p: Probe) => `probe.${p.name}.latency_ms`;


type ProbeState = { key: "up" | "down" | "stale" | "none"; label: string; tone: BadgeTone };

interface ProbeRow extends Probe {
  state: ProbeState;
  latencyMs: number | null;
  /** Share of the hour's rounds that found it up, 0-100. */
  uptime: number | null;
  lastAt: number | null;
}

function rowOf(probe: Probe, cols: Columns, to: number): ProbeRow {
  const ups = cols.values[upMetric(probe)] ?? [];
  let lastAt: number | null = null;
  let sum = 0;
  let count = 0;
  for (const [i, v] of ups.entries()) {
    if (v === null) continue;
    sum += v;
    count++;
    lastAt = cols.timestamps[i] ?? lastAt;
  }
  const up = latest(cols, upMetric(probe));
  const state: ProbeState =
    up === null || lastAt === null
      ? { key: "none", label: "No data yet", tone: "neutral" }
      : to - lastAt > STALE_MS
        ? { key: "stale", label: "No recent data", tone: "warning" }
        : up >= 1
          ? { key: "up", label: "Up", tone: "success" }
          : { key: "down", label: "Down", tone: "danger" };
  return { ...probe, state, latencyMs: latest(cols, latencyMetric(probe)), uptime: count ? (100 * sum) / count : null, lastAt };
}

export default function ProbesTab() {
  const host = useHost();
  const probes = () => probesOf(host.agent());
  // An agent may list up to 32 probes (64 names), more than one read of the metrics API.
  const batches = () => nameBatches(probes().flatMap((p) => [upMetric(p), latencyMetric(p)]), MAX_SERIES_NAMES);
  const metrics = createAsync(async (): Promise<MetricsResponse | null> => {
    const names = batches();
    if (names.length === 0) return null;
    return mergeResponses(await Promise.all(names.map((n) => getMetrics(host.tenantId, host.agentId, n, RANGE))));
  });
  const keys = () => batches().map((n) => getMetrics.keyFor(host.tenantId, host.agentId, n, RANGE));
  useRefresh(keys);
  const rows = () => {
    const m = metrics();
    if (!m) return undefined;
    const cols = columnsOf(m.series);
    return probes().map((p) => ({ row: rowOf(p, cols, m.to), cols, from: m.from, to: m.to, stepMs: stepOf(m.resolution) }));
  };

  return (
    <Card
      title="Service probes"
      testId="probes-card"
      description="Local services this host's agent checks every 10 s (NEBULA_PROBES), over the last hour."
      actions={<RefreshButton label="Refresh probes" onClick={() => void revalidate(keys())} />}
    >
      <Show
        when={probes().length > 0}
        fallback={
          <EmptyState icon={<ListIcon size={20} />} title="No service probes configured" testId="probes-empty">
            Set <code>NEBULA_PROBES</code> in the agent's environment (<code>/etc/nebula-agent/env</code>) to name=kind:url entries, e.g.{" "}
            <code>plex=plex:http://127.0.0.1:32400,ha=home-assistant:http://127.0.0.1:8123,site=https://example.com</code>, then restart the
            agent. Kinds: plex, home-assistant, minio, http.
          </EmptyState>
        }
      >
        <Boundary>
          <ListTable
            items={rows()}
            empty={<EmptyState title="No probe data yet" testId="probes-no-data" />}
            columns={["Service", "State", "Latency", "Last hour", "Uptime", "Last probed"]}
            testId="probes-table"
          >
            {(r) => (
              <tr data-testid="probe-row" data-name={r.row.name} data-state={r.row.state.key}>
                <td>
                  <strong>{r.row.name}</strong>
                  <div class="faint">{KIND_LABELS[r.row.kind] ?? r.row.kind}</div>
                </td>
                <td>
                  <Badge tone={r.row.state.tone}>{r.row.state.label}</Badge>
                </td>
                <td class="nowrap" data-testid="probe-latency">
                  {r.row.latencyMs === null ? <span class="faint">—</span> : `${Math.round(r.row.latencyMs)} ms`}
                </td>
                <td>
                  <Sparkline
                    timestamps={r.cols.timestamps}
                    values={r.cols.values[latencyMetric(r.row)] ?? []}
                    from={r.from}
                    to={r.to}
                    stepMs={r.stepMs}
                    unit="ms"
                    label={`Latency of ${r.row.name} over the last hour`}
                    testId="probe-sparkline"
                  />
                </td>
                <td class="nowrap" data-testid="probe-uptime">
                  {r.row.uptime === null ? <span class="faint">—</span> : `${+r.row.uptime.toFixed(1)}%`}
                </td>
                <td class="nowrap">
                  <Show when={r.row.lastAt} fallback={<span class="faint">Never</span>}>
                    {(at) => <TimeAgo iso={new Date(at()).toISOString()} />}
                  </Show>
                </td>
              </tr>
            )}
          </ListTable>
        </Boundary>
      </Show>
    </Card>
  );
}
