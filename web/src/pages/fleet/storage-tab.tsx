// Host > Storage: each NAS mount the agent is configured with: mounted, answering or stale, space; operators
// remount one (lazy unmount, then mount: confirmed, since whatever uses the share sees it vanish briefly).
import type { JobResults, MountStatus } from "@nebula/schema/wire/job-results";
import { createAsync, revalidate } from "@solidjs/router";
import { Show } from "solid-js";
import { getJobReading } from "../../api/client.ts";
import { Badge, type BadgeTone } from "../../ui/badge.tsx";
import { Card } from "../../ui/card.tsx";
import { ConfirmActionButton, ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ListIcon } from "../../ui/icons.tsx";
import { ListTable } from "../../ui/table.tsx";
import { bytes, percent } from "./format.ts";
import { useHost } from "./host-context.tsx";
import { useCanRun } from "./job-roles.ts";
import { JobReading, RefreshButton, readingKey, runChecked } from "./job-ui.tsx";

function mountState(m: MountStatus): { label: string; tone: BadgeTone } {
  if (!m.mounted) return { label: "Not mounted", tone: "danger" };
  if (m.reachable === "ok") return { label: "Mounted", tone: "success" };
  if (m.reachable === "stale") return { label: "Stale", tone: "warning" };
  return { label: "Error", tone: "danger" };
}

function Usage(props: { mount: MountStatus }) {
  const used = () => (props.mount.totalBytes && props.mount.freeBytes !== null ? props.mount.totalBytes - props.mount.freeBytes : null);
  const pct = () => {
    const u = used();
    return u !== null && props.mount.totalBytes ? (u / props.mount.totalBytes) * 100 : null;
  };
  return (
    <Show when={pct() !== null} fallback={<span class="faint">—</span>}>
      <div class="usage">
        <div class="usage-bar" aria-hidden="true">
          <span style={{ width: `${pct()}%` }} classList={{ high: (pct() ?? 0) >= 90 }} />
        </div>
        <span class="faint nowrap">
          {bytes(props.mount.freeBytes)} free of {bytes(props.mount.totalBytes)} ({percent(pct(), 0)} used)
        </span>
      </div>
    </Show>
  );
}

export default function StorageTab() {
  const host = useHost();
  const canRun = useCanRun();
  const reading = createAsync(() => getJobReading(host.tenantId, host.agentId, "nas.status", "{}"));
  const key = () => readingKey(host.tenantId, host.agentId, "nas.status", "{}");
  const refresh = () => revalidate(key());
  const remount = createConfirmAction((m: MountStatus) => runChecked(host.tenantId, host.agentId, "nas.remount", { mount: m.name }), () => [key()]);

  return (
    <>
      <Card title="Storage" description="Network shares this host's agent watches (NEBULA_MOUNTS)." actions={<RefreshButton label="Refresh storage" onClick={refresh} />}>
        <JobReading<JobResults["nas.status"]> job={reading()} subject="storage" onRetry={refresh}>
          {(result) => (
            <ListTable
              items={result.mounts}
              empty={
                <EmptyState icon={<ListIcon size={20} />} title="No mounts configured" testId="mounts-empty">
                  Set <code>NEBULA_MOUNTS</code> in the agent's environment to watch NAS shares here.
                </EmptyState>
              }
              columns={["Mount", "State", "Space", "Detail"]}
              actions
              testId="mounts-table"
            >
              {(m) => (
                <tr data-testid="mount-row" data-name={m.name}>
                  <td>
                    <strong>{m.name}</strong>
                    <div class="faint mono">{m.path}</div>
                  </td>
                  <td>
                    <Badge tone={mountState(m).tone}>{mountState(m).label}</Badge>
                  </td>
                  <td>
                    <Usage mount={m} />
                  </td>
                  <td class="muted">{m.detail}</td>
                  <td class="actions">
                    <Show when={canRun("nas.remount")}>
                      <ConfirmActionButton action={remount} row={m} label="Remount" ariaLabel={`Remount ${m.name}`} />
                    </Show>
                  </td>
                </tr>
              )}
            </ListTable>
          )}
        </JobReading>
      </Card>
      <ConfirmActionDialog
        action={remount}
        title="Remount this share?"
        message={(m) => (
          <>
            <strong>{m.name}</strong> (<code>{m.path}</code>) is detached and mounted again. Programs using it see it vanish for a moment.
          </>
        )}
        confirmLabel="Remount"
      />
    </>
  );
}
