// Host > VMs: the libvirt domains with their state; start for operators, shutdown and reboot (confirmed) for
// operators, destroy (forced power-off, confirmed) for admins; and the gaming mode card.
import { createAsync, revalidate } from "@solidjs/router";
import { Show } from "solid-js";
import { getJobReading } from "../../api/client.ts";
import { createMutation } from "../../api/mutation.ts";
import { Badge, type BadgeTone } from "../../ui/badge.tsx";
import { InlineError } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ListIcon } from "../../ui/icons.tsx";
import { ListTable } from "../../ui/table.tsx";
import { bytes } from "./format.ts";
import { GamingCard } from "./gaming-card.tsx";
import { useHost } from "./host-context.tsx";
import { useCanRun } from "./job-roles.ts";
import type { Vm } from "./job-results.ts";
import { JobReading, RefreshButton, readingKey, runChecked } from "./job-ui.tsx";

const STATE_TONE: Record<string, BadgeTone> = { running: "success", paused: "warning", "shut off": "neutral", crashed: "danger", "in shutdown": "warning" };

type Action = { vm: Vm; kind: "vm.shutdown" | "vm.reboot" | "vm.destroy" };
const ACTION_TEXT: Record<Action["kind"], { verb: string; what: string }> = {
  "vm.shutdown": { verb: "Shut down", what: "The guest is asked to shut down (ACPI), as pressing its power button." },
  "vm.reboot": { verb: "Reboot", what: "The guest is asked to reboot; whatever it runs is unavailable meanwhile." },
  "vm.destroy": { verb: "Force off", what: "The VM is powered off at once, like pulling its plug: unsaved work in it is lost." },
};

export default function VmsTab() {
  const host = useHost();
  const canRun = useCanRun();
  const reading = createAsync(() => getJobReading(host.tenantId, host.agentId, "vm.list", "{}"));
  const listKey = () => readingKey(host.tenantId, host.agentId, "vm.list", "{}");
  const refresh = () => revalidate(listKey());
  const confirm = createConfirmAction((a: Action) => runChecked(host.tenantId, host.agentId, a.kind, { name: a.vm.name }), () => [listKey()]);
  const start = createMutation((vm: Vm) => runChecked(host.tenantId, host.agentId, "vm.start", { name: vm.name }), () => [listKey()]);
  const ask = (vm: Vm, kind: Action["kind"]) => confirm.ask({ vm, kind });

  return (
    <>
      <GamingCard vmListKey={listKey()} />
      <Card title="Virtual machines" description="Domains in libvirt on this host." actions={<RefreshButton label="Refresh VMs" onClick={refresh} />}>
        <JobReading<Vm[]> job={reading()} subject="libvirt" onRetry={refresh}>
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
                    <Show when={vm.state !== "running" && canRun("vm.start")}>
                      <button type="button" class="btn btn-sm" disabled={start.pending()} onClick={() => void start.run(vm)}>
                        Start
                      </button>
                    </Show>
                    <Show when={vm.state === "running"}>
                      <Show when={canRun("vm.shutdown")}>
                        <button type="button" class="btn btn-sm btn-ghost-danger" onClick={() => ask(vm, "vm.shutdown")}>
                          Shut down
                        </button>
                      </Show>
                      <Show when={canRun("vm.reboot")}>
                        <button type="button" class="btn btn-sm btn-ghost-danger" onClick={() => ask(vm, "vm.reboot")}>
                          Reboot
                        </button>
                      </Show>
                    </Show>
                    <Show when={vm.state !== "shut off" && canRun("vm.destroy")}>
                      <button type="button" class="btn btn-sm btn-ghost-danger" onClick={() => ask(vm, "vm.destroy")}>
                        Force off
                      </button>
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
        title="Change this VM?"
        message={(a) => (
          <>
            {ACTION_TEXT[a.kind].verb} <strong>{a.vm.name}</strong>? {ACTION_TEXT[a.kind].what}
          </>
        )}
        confirmLabel="Confirm"
      />
    </>
  );
}
