// Host > Containers: docker.list with state badges and live CPU and memory; start, stop and restart (stop and restart
// confirmed) for operators; a logs drawer and a stats reading for everyone; image pulls and compose stacks for admins.
import type { ContainerSummary, JobResults } from "@nebula/schema/wire/job-results";
import { createAsync, revalidate } from "@solidjs/router";
import { createSignal, For, Show } from "solid-js";
import { getJobReading } from "../../api/client.ts";
import { Badge, type BadgeTone } from "../../ui/badge.tsx";
import { Card } from "../../ui/card.tsx";
import { ConfirmActionDialog } from "../../ui/confirm-action.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ListIcon } from "../../ui/icons.tsx";
import { ListTable } from "../../ui/table.tsx";
import { TimeAgo } from "../../ui/time.tsx";
import { ContainerCpuCell, ContainerMemCell, createContainerNow, StatsDialog } from "./container-stats.tsx";
import { containerName } from "./format.ts";
import { useHost } from "./host-context.tsx";
import { JobReading, RefreshButton, readingKey } from "./job-ui.tsx";
import { createLifecycleActions, LifecycleButtons, StartError } from "./lifecycle-actions.tsx";
import { createImagePull } from "./image-pull.tsx";
import { LogsDrawer } from "./logs-drawer.tsx";
import { StacksCard } from "./stacks-card.tsx";

const LIST_PARAMS = JSON.stringify({ all: true });

/** An image reference that may wrap after its `/`, `:` and `@` (registry/name:tag), never inside a word: a long
 * one used to push the row's actions off the card. */
function BreakableImage(props: { image: string }) {
  const parts = () => props.image.split(/(?<=[/:@])/);
  return (
    <For each={parts()}>
      {(part, i) => (
        <>
          {i() > 0 ? <wbr /> : null}
          {part}
        </>
      )}
    </For>
  );
}

const STATE_TONE: Record<string, BadgeTone> = {
  running: "success",
  restarting: "warning",
  paused: "warning",
  exited: "neutral",
  created: "neutral",
  dead: "danger",
  removing: "warning",
};

function ports(c: ContainerSummary): string {
  return c.ports.map((p) => (p.publicPort ? `${p.publicPort}→${p.privatePort}/${p.type}` : `${p.privatePort}/${p.type}`)).join(", ");
}

export default function ContainersTab() {
  const host = useHost();
  const reading = createAsync(() => getJobReading(host.tenantId, host.agentId, "docker.list", LIST_PARAMS));
  const listKey = () => readingKey(host.tenantId, host.agentId, "docker.list", LIST_PARAMS);
  const refresh = () => revalidate(listKey());
  const lifecycle = createLifecycleActions<ContainerSummary, "docker.stop" | "docker.restart">({ start: "docker.start", params: (c) => ({ id: c.id }), listKey });
  const [logsOf, setLogsOf] = createSignal<ContainerSummary>();
  const [statsOf, setStatsOf] = createSignal<ContainerSummary>();
  const stats = createContainerNow();
  const pull = createImagePull();

  return (
    <>
      <Card
        title="Containers"
        description="Every container on this host's Docker Engine, running or not."
        actions={
          <div class="form-actions">
            {pull.button()}
            <RefreshButton label="Refresh containers" onClick={refresh} />
          </div>
        }
      >
        {pull.panel()}
        <JobReading<JobResults["docker.list"]>
          job={reading()}
          subject="Docker"
          onRetry={refresh}
          unavailableHint={
            <>
              Check that Docker is running on this host and that the agent may use its socket (add the agent's user to the <code>docker</code> group,
              or set <code>DOCKER_SOCKET</code> where Docker listens elsewhere), then retry.
            </>
          }
        >
          {(containers) => (
            <ListTable
              items={containers}
              empty={
                <EmptyState icon={<ListIcon size={20} />} title="No containers" testId="containers-empty">
                  Docker on this host has no containers.
                </EmptyState>
              }
              columns={["Name", "Image", "State", "CPU", "Memory", "Ports", "Created"]}
              actions
              testId="containers-table"
            >
              {(c) => (
                <tr data-testid="container-row" data-name={containerName(c)}>
                  <td>
                    <strong>{containerName(c)}</strong>
                    <div class="faint mono">{c.id.slice(0, 12)}</div>
                  </td>
                  <td class="mono">
                    <BreakableImage image={c.image} />
                  </td>
                  <td>
                    <Badge tone={STATE_TONE[c.state] ?? "neutral"}>{c.state}</Badge>
                    {/* Docker's status ("Up 2 hours", "Exited (0) 3 minutes ago") under the state, one column not two. */}
                    <Show when={c.status.toLowerCase() !== c.state.toLowerCase()}>
                      <div class="faint" data-testid="container-status">
                        {c.status}
                      </div>
                    </Show>
                  </td>
                  <ContainerCpuCell now={stats.now(c)} />
                  <ContainerMemCell now={stats.now(c)} />
                  <td class="mono">{ports(c) || <span class="faint">—</span>}</td>
                  <td>
                    <TimeAgo iso={c.created} />
                  </td>
                  <td class="actions">
                    <button type="button" class="btn btn-sm btn-ghost" onClick={() => setLogsOf(c)} data-testid="container-logs">
                      Logs
                    </button>
                    <button type="button" class="btn btn-sm btn-ghost" disabled={c.state !== "running"} onClick={() => setStatsOf(c)} data-testid="container-stats-button">
                      Stats
                    </button>
                    <LifecycleButtons
                      actions={lifecycle}
                      row={c}
                      startable={c.state !== "running"}
                      confirmed={[
                        { kind: "docker.restart", label: "Restart", when: c.state === "running" },
                        { kind: "docker.stop", label: "Stop", when: c.state === "running" },
                      ]}
                    />
                  </td>
                </tr>
              )}
            </ListTable>
          )}
        </JobReading>
        <StartError actions={lifecycle} />
      </Card>
      <StacksCard containersKey={listKey()} />
      <ConfirmActionDialog
        action={lifecycle.confirm}
        title="Change this container?"
        message={(a) => (
          <>
            {a.kind === "docker.stop" ? "Stop" : "Restart"} <strong>{containerName(a.row)}</strong> ({a.row.image})? Whatever it
            serves is unavailable until it is {a.kind === "docker.stop" ? "started again" : "back up"}.
          </>
        )}
        confirmLabel="Confirm"
      />
      <Show when={logsOf()} keyed>
        {(c) => <LogsDrawer container={c} onClose={() => setLogsOf(undefined)} />}
      </Show>
      <Show when={statsOf()} keyed>
        {(c) => <StatsDialog container={c} onClose={() => setStatsOf(undefined)} />}
      </Show>
    </>
  );
}

