// The lifecycle buttons of a container or VM row: Start runs at once (starting loses nothing); the actions that
// interrupt what the row serves (stop, restart, shut down, force off) are asked about first, in the list's one
// dialog. Each button shows only to a role that may run its job (the Worker checks it again).
import type { JobKind } from "@nebula/schema/wire/jobs";
import { For, Show } from "solid-js";
import { createMutation } from "../../api/mutation.ts";
import { InlineError } from "../../ui/boundary.tsx";
import { type ConfirmAction, ConfirmActionButton, createConfirmAction } from "../../ui/confirm-action.tsx";
import { useHost } from "./host-context.tsx";
import { useCanRun } from "./job-roles.ts";
import { runChecked } from "./job-ui.tsx";

/** A confirmed action asked about: which row, and which job it runs. */
export type AskedAction<R, K extends JobKind> = { row: R; kind: K };

export interface LifecycleActions<R, K extends JobKind> {
  startKind: JobKind;
  start: ReturnType<typeof createMutation<[R], unknown>>;
  /** Pass to ConfirmActionDialog; its `message` gets the row and the kind asked about. */
  confirm: ConfirmAction<AskedAction<R, K>>;
}

/** `params` names the row for every kind (docker: `{ id }`, libvirt: `{ name }`); `listKey` is the reading to refresh. */
export function createLifecycleActions<R, K extends JobKind>(options: {
  start: JobKind;
  params: (row: R) => Record<string, unknown>;
  listKey: () => string;
}): LifecycleActions<R, K> {
  const host = useHost();
  const run = (kind: JobKind, row: R) => runChecked(host.tenantId, host.agentId, kind, options.params(row));
  return {
    startKind: options.start,
    start: createMutation((row: R) => run(options.start, row), () => [options.listKey()]),
    confirm: createConfirmAction((asked: AskedAction<R, K>) => run(asked.kind, asked.row), () => [options.listKey()]),
  };
}

/** Start while `startable`, then each confirmed action whose `when` holds, in the order given. */
export function LifecycleButtons<R, K extends JobKind>(props: {
  actions: LifecycleActions<R, K>;
  row: R;
  startable: boolean;
  confirmed: { kind: K; label: string; when: boolean }[];
}) {
  const canRun = useCanRun();
  return (
    <>
      <Show when={props.startable && canRun(props.actions.startKind)}>
        <button type="button" class="btn btn-sm" disabled={props.actions.start.pending()} onClick={() => void props.actions.start.run(props.row)}>
          Start
        </button>
      </Show>
      <For each={props.confirmed}>
        {(action) => (
          <Show when={action.when && canRun(action.kind)}>
            <ConfirmActionButton action={props.actions.confirm} row={{ row: props.row, kind: action.kind }} label={action.label} />
          </Show>
        )}
      </For>
    </>
  );
}

/** Why the last Start failed, under the list; a confirmed action's error stays in its dialog. */
export function StartError<R, K extends JobKind>(props: { actions: LifecycleActions<R, K> }) {
  return (
    <Show when={props.actions.start.error()}>
      {(err) => (
        <div class="card-body">
          <InlineError error={err()} />
        </div>
      )}
    </Show>
  );
}
