// Host > Containers: docker.list with state badges; start, stop and restart (stop and restart confirmed) for
// operators; a logs drawer for everyone (the last lines, or follow new ones until stopped).
import { createAsync, revalidate } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { getJobReading } from "../../api/client.ts";
import { createMutation } from "../../api/mutation.ts";
import { Badge, type BadgeTone } from "../../ui/badge.tsx";
import { InlineError } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ListIcon } from "../../ui/icons.tsx";
import { ListTable } from "../../ui/table.tsx";
import { TimeAgo } from "../../ui/time.tsx";
import { useHost } from "./host-context.tsx";
import { useCanRun } from "./job-roles.ts";
import { type Container, containerName } from "./job-results.ts";
import { JobReading, RefreshButton, readingKey, runChecked } from "./job-ui.tsx";
import { LogsDrawer } from "./logs-drawer.tsx";

const LIST_PARAMS = JSON.stringify({ all: true });

const STATE_TONE: Record<string, BadgeTone> = {
  running: "success",
  restarting: "warning",
  paused: "warning",
  exited: "neutral",
  created: "neutral",
  dead: "danger",
  removing: "warning",
};

function ports(c: Container): string {
  return c.ports.map((p) => (p.publicPort ? `${p.publicPort}→${p.privatePort}/${p.type}` : `${p.privatePort}/${p.type}`)).join(", ");
}

type Action = { container: Container; kind: "docker.stop" | "docker.restart" };

export default function ContainersTab() {
  const host = useHost();
  const canRun = useCanRun();
  const reading = createAsync(() => getJobReading(host.tenantId, host.agentId, "docker.list", LIST_PARAMS));
  const refresh = () => revalidate(readingKey(host.tenantId, host.agentId, "docker.list", LIST_PARAMS));
  const confirm = createConfirmAction(
    (a: Action) => runChecked(host.tenantId, host.agentId, a.kind, { id: a.container.id }),
    () => [readingKey(host.tenantId, host.agentId, "docker.list", LIST_PARAMS)],
  );
  const start = createMutation(
    (c: Container) => runChecked(host.tenantId, host.agentId, "docker.start", { id: c.id }),
    () => [readingKey(host.tenantId, host.agentId, "docker.list", LIST_PARAMS)],
  );
  const [logsOf, setLogsOf] = createSignal<Container>();

  return (
    <>
      <Card
        title="Containers"
        description="Every container on this host's Docker Engine, running or not."
        actions={<RefreshButton label="Refresh containers" onClick={refresh} />}
      >
        <JobReading<Container[]> job={reading()} subject="Docker" onRetry={refresh}>
          {(containers) => (
            <ListTable
              items={containers}
              empty={
                <EmptyState icon={<ListIcon size={20} />} title="No containers" testId="containers-empty">
                  Docker on this host has no containers.
                </EmptyState>
              }
              columns={["Name", "Image", "State", "Status", "Ports", "Created"]}
              actions
              testId="containers-table"
            >
              {(c) => (
                <tr data-testid="container-row" data-name={containerName(c)}>
                  <td>
                    <strong>{containerName(c)}</strong>
                    <div class="faint mono">{c.id.slice(0, 12)}</div>
                  </td>
                  <td class="mono">{c.image}</td>
                  <td>
                    <Badge tone={STATE_TONE[c.state] ?? "neutral"}>{c.state}</Badge>
                  </td>
                  <td class="muted">{c.status}</td>
                  <td class="mono">{ports(c) || <span class="faint">—</span>}</td>
                  <td class="nowrap">
                    <TimeAgo iso={c.created} />
                  </td>
                  <td class="actions">
                    <button type="button" class="btn btn-sm btn-ghost" onClick={() => setLogsOf(c)} data-testid="container-logs">
                      Logs
                    </button>
                    <Show when={c.state !== "running" && canRun("docker.start")}>
                      <button type="button" class="btn btn-sm" disabled={start.pending()} onClick={() => void start.run(c)}>
                        Start
                      </button>
                    </Show>
                    <Show when={c.state === "running"}>
                      <Show when={canRun("docker.restart")}>
                        <button type="button" class="btn btn-sm btn-ghost-danger" onClick={() => confirm.ask({ container: c, kind: "docker.restart" })}>
                          Restart
                        </button>
                      </Show>
                      <Show when={canRun("docker.stop")}>
                        <button type="button" class="btn btn-sm btn-ghost-danger" onClick={() => confirm.ask({ container: c, kind: "docker.stop" })}>
                          Stop
                        </button>
                      </Show>
                    </Show>
                  </td>
                </tr>
              )}
            </ListTable>
          )}
        </JobReading>
        <Show when={start.error()}>
          {(err) => (
            <div class="card-body">
              <InlineError error={err()} />
            </div>
          )}
        </Show>
      </Card>
      <ConfirmActionDialog
        action={confirm}
        title="Change this container?"
        message={(a) => (
          <>
            {a.kind === "docker.stop" ? "Stop" : "Restart"} <strong>{containerName(a.container)}</strong> ({a.container.image})? Whatever it
            serves is unavailable until it is {a.kind === "docker.stop" ? "started again" : "back up"}.
          </>
        )}
        confirmLabel="Confirm"
      />
      <Show when={logsOf()} keyed>
        {(c) => <LogsDrawer container={c} onClose={() => setLogsOf(undefined)} />}
      </Show>
    </>
  );
}

