// The fleet on the Dashboard: every host with its link state, what it runs on, CPU and memory now and the last
// hour of CPU; admins add hosts (token shown once) and revoke them. Refreshed every few seconds while visible.
import type { Agent } from "@nebula/schema/api/agents";
import { A, createAsync, revalidate } from "@solidjs/router";
import { createSignal, ErrorBoundary, onCleanup, onMount, Show, Suspense } from "solid-js";
import { getAgents, getAuditPage, getMetrics, revokeAgent } from "../../api/client.ts";
import { useSession } from "../../session/session.tsx";
import { Badge } from "../../ui/badge.tsx";
import { Card } from "../../ui/card.tsx";
import { type ConfirmAction, ConfirmActionButton, ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { AlertIcon, DashboardIcon, PlusIcon } from "../../ui/icons.tsx";
import { ListTable } from "../../ui/table.tsx";
import { TimeAgo } from "../../ui/time.tsx";
import { AddHostDialog } from "./add-host-dialog.tsx";
import { Sparkline } from "./charts.tsx";
import { bytes, percent } from "./format.ts";
import { factsOf, hostStatus } from "./host-facts.ts";
import { columnsOf, latest, stepOf } from "./metric-columns.ts";

const REFRESH_MS = 10_000;
const NOW_METRICS = "cpu.total,mem.used_pct";

/** Re-reads `keys` every REFRESH_MS while the tab is visible (a transition: the old rows stay until the new arrive). */
export function useRefresh(keys: () => string[]) {
  onMount(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void revalidate(keys());
    }, REFRESH_MS);
    onCleanup(() => clearInterval(timer));
  });
}

function HostMetricsCells(props: { tenantId: string; agent: Agent }) {
  const metrics = createAsync(() => getMetrics(props.tenantId, props.agent.id, NOW_METRICS, "1h"));
  const columns = () => columnsOf(metrics()?.series ?? []);
  return (
    <>
      <td class="nowrap" data-testid="host-cpu">
        {percent(latest(columns(), "cpu.total"))}
      </td>
      <td class="nowrap" data-testid="host-mem">
        {percent(latest(columns(), "mem.used_pct"))}
      </td>
      <td>
        <Show when={metrics()}>
          {(m) => (
            <Sparkline
              timestamps={columns().timestamps}
              values={columns().values["cpu.total"] ?? []}
              from={m().from}
              to={m().to}
              stepMs={stepOf(m().resolution)}
              label={`CPU of ${props.agent.name} over the last hour`}
              testId="host-sparkline"
            />
          )}
        </Show>
      </td>
    </>
  );
}

function HostRow(props: { tenantId: string; agent: Agent; revoke: ConfirmAction<Agent> }) {
  const session = useSession();
  const facts = () => factsOf(props.agent);
  const status = () => hostStatus(props.agent);
  const dashes = (
    <>
      <td class="faint">—</td>
      <td class="faint">—</td>
      <td />
    </>
  );
  return (
    <tr data-testid="host-row" data-agent-id={props.agent.id}>
      <td>
        <A href={`/hosts/${props.agent.id}`} data-testid="host-link">
          {props.agent.name}
        </A>
        <div class="faint">{facts()?.hostname ?? "—"}</div>
      </td>
      <td>
        <span data-testid="host-status" data-status={status().key}>
          <Badge tone={status().tone}>{status().label}</Badge>
        </span>
      </td>
      <td class="nowrap">
        <Show when={facts()} fallback={<span class="faint">Not reported yet</span>}>
          {(f) => (
            <>
              <div>
                {f().os ?? "?"} · {f().arch ?? "?"}
              </div>
              <div class="faint">
                {f().cpuCount ?? "?"} CPU · {bytes(f().totalMemoryBytes)}
              </div>
            </>
          )}
        </Show>
      </td>
      <Show when={!props.agent.revokedAt && props.agent.hostFacts} fallback={dashes}>
        <ErrorBoundary
          fallback={
            <td colSpan={3} class="faint">
              Metrics unavailable
            </td>
          }
        >
          <Suspense
            fallback={
              <td colSpan={3}>
                <div class="skeleton" style={{ width: "80%" }} />
              </td>
            }
          >
            <HostMetricsCells tenantId={props.tenantId} agent={props.agent} />
          </Suspense>
        </ErrorBoundary>
      </Show>
      <td class="nowrap">
        <Show when={props.agent.lastSeenAt} fallback={<span class="faint">Never</span>}>
          {(at) => <TimeAgo iso={at()} />}
        </Show>
      </td>
      <td class="actions">
        <Show when={!props.agent.revokedAt && session.can("agents.revoke")}>
          <ConfirmActionButton action={props.revoke} row={props.agent} label="Revoke" ariaLabel={`Revoke ${props.agent.name}`} />
        </Show>
      </td>
    </tr>
  );
}

export function FleetCard(props: { tenantId: string }) {
  const session = useSession();
  const agents = createAsync(() => getAgents(props.tenantId));
  const [adding, setAdding] = createSignal(false);
  const revoke = createConfirmAction(
    (a: Agent) => revokeAgent(props.tenantId, a.id),
    () => [getAgents.keyFor(props.tenantId), getAuditPage.key],
  );
  useRefresh(() => [getAgents.keyFor(props.tenantId), getMetrics.key]);
  const online = () => agents()?.items.filter((a) => hostStatus(a).key === "online").length ?? 0;
  const active = () => agents()?.items.filter((a) => !a.revokedAt) ?? [];

  return (
    <>
      <Card
        title="Fleet"
        testId="fleet-card"
        description={<Show when={agents()}>{`${online()} of ${active().length} host${active().length === 1 ? "" : "s"} online`}</Show>}
        actions={
          <div class="form-actions">
            <Show when={session.can("alerts.read")}>
              <A class="btn btn-sm" href="/alerts" data-testid="alerts-link">
                <AlertIcon size={14} /> Alerts
              </A>
            </Show>
            <Show when={session.can("agents.create")}>
              <button type="button" class="btn btn-primary btn-sm" data-testid="add-host" onClick={() => setAdding(true)}>
                <PlusIcon size={14} /> Add host
              </button>
            </Show>
          </div>
        }
      >
        <ListTable
          items={agents()?.items}
          empty={
            <EmptyState icon={<DashboardIcon size={20} />} title="No hosts yet" testId="fleet-empty">
              {session.can("agents.create")
                ? "Add a host, then run the agent on it: it reports metrics and runs Docker, VM and storage jobs you ask for."
                : "An admin adds hosts; they appear here with their metrics."}
            </EmptyState>
          }
          columns={["Host", "Status", "System", "CPU", "Memory", "CPU, last hour", "Last seen"]}
          actions
          testId="fleet-table"
        >
          {(agent) => <HostRow tenantId={props.tenantId} agent={agent} revoke={revoke} />}
        </ListTable>
      </Card>
      <AddHostDialog tenantId={props.tenantId} open={adding()} onClose={() => setAdding(false)} />
      <ConfirmActionDialog
        action={revoke}
        title="Revoke host?"
        message={(a) => (
          <>
            The agent on <strong>{a.name}</strong> is disconnected now and its token stops working. Its history stays. This cannot be
            undone: to bring the host back, add it again.
          </>
        )}
        confirmLabel="Revoke host"
      />
    </>
  );
}
