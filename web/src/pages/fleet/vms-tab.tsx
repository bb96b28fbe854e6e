// Host > VMs: the libvirt domains with their state; start for operators, shutdown and reboot (confirmed) for
// operators, destroy (forced power-off, confirmed) for admins; and the gaming mode card.
import type { JobResults, VmSummary } from "@nebula/schema/wire/job-results";
import { createAsync, revalidate } from "@solidjs/router";
import { Show } from "solid-js";
import { getJobReading } from "../../api/client.ts";
import { Badge, type BadgeTone } from "../../ui/badge.tsx";
import { Card } from "../../ui/card.tsx";
import { ConfirmActionDialog } from "../../ui/confirm-action.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ListIcon } from "../../ui/icons.tsx";
import { ListTable } from "../../ui/table.tsx";
import { bytes } from "./format.ts";
import { GamingCard } from "./gaming-card.tsx";
import { useHost } from "./host-context.tsx";
import { JobReading, RefreshButton, readingKey } from "./job-ui.tsx";
import { createLifecycleActions, LifecycleButtons, StartError } from "./lifecycle-actions.tsx";

const STATE_TONE: Record<string, BadgeTone> = { running: "success", paused: "warning", "shut off": "neutral", crashed: "danger", "in shutdown": "warning" };

type Confirmed = "vm.shutdown" | "vm.reboot" | "vm.destroy";
const ACTION_TEXT: Record<Confirmed, { verb: string; what: string }> = {
  "vm.shutdown": { verb: "Shut down", what: "The guest is asked to shut down (ACPI), as pressing its power button." },
  "vm.reboot": { verb: "Reboot", what: "The guest is asked to reboot; whatever it runs is unavailable meanwhile." },
  "vm.destroy": { verb: "Force off", what: "The VM is powered off at once, like pulling its plug: unsaved work in it is lost." },
};

export default function VmsTab() {
  const host = useHost();
  const reading = createAsync(() => getJobReading(host.tenantId, host.agentId, "vm.list", "{}"));
  const listKey = () => readingKey(host.tenantId, host.agentId, "vm.list", "{}");
  const refresh = () => revalidate(listKey());
  const lifecycle = createLifecycleActions<VmSummary, Confirmed>({ start: "vm.start", params: (vm) => ({ name: vm.name }), listKey });

  return (
    <>
      <GamingCard vmListKey={listKey()} />
      <Card title="Virtual machines" description="Domains in libvirt on this host." actions={<RefreshButton label="Refresh VMs" onClick={refresh} />}>
        <JobReading<JobResults["vm.list"]> job={reading()} subject="libvirt" onRetry={refresh}>
          {(vms) => (
            <ListTable
              items={vms}
              empty={
                <EmptyState icon={<ListIcon size={20} />} title="No virtual machines" testId="vms-empty">
                  libvirt on this host has no domains.
                </EmptyState>
              }
              columns={["Name", "State", "vCPUs", "Memory", "Autostart"]}
              actions
              testId="vms-table"
            >
              {(vm) => (
                <tr data-testid="vm-row" data-name={vm.name}>
                  <td>
                    <strong>{vm.name}</strong>
                    <Show when={!vm.persistent}>
                      <span class="faint"> · transient</span>
                    </Show>
                  </td>
                  <td>
                    <Badge tone={STATE_TONE[vm.state] ?? "neutral"}>{vm.state}</Badge>
                  </td>
                  <td>{vm.vcpus ?? "—"}</td>
                  <td class="nowrap">
                    {vm.usedMemoryKiB !== null ? bytes(vm.usedMemoryKiB * 1024) : "—"}
                    <Show when={vm.maxMemoryKiB !== null && vm.maxMemoryKiB !== vm.usedMemoryKiB}>
                      <span class="faint"> / {bytes((vm.maxMemoryKiB ?? 0) * 1024)}</span>
                    </Show>
                  </td>
                  <td>{vm.autostart ? "Yes" : "No"}</td>
                  <td class="actions">
                    <LifecycleButtons
                      actions={lifecycle}
                      row={vm}
                      startable={vm.state !== "running"}
                      confirmed={[
                        { kind: "vm.shutdown", label: "Shut down", when: vm.state === "running" },
                        { kind: "vm.reboot", label: "Reboot", when: vm.state === "running" },
                        { kind: "vm.destroy", label: "Force off", when: vm.state !== "shut off" },
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
      <ConfirmActionDialog
        action={lifecycle.confirm}
        title="Change this VM?"
        message={(a) => (
          <>
            {ACTION_TEXT[a.kind].verb} <strong>{a.row.name}</strong>? {ACTION_TEXT[a.kind].what}
          </>
        )}
        confirmLabel="Confirm"
      />
    </>
  );
}
