// A destructive action on one row of a list (revoke a token, remove a member): the row's button picks the
// row, one ConfirmDialog for the whole list asks about it, and confirming runs the action and revalidates.
import { revalidate } from "@solidjs/router";
import { type Accessor, createSignal, type JSX, Show } from "solid-js";
import { ConfirmDialog } from "./dialog.tsx";

export interface ConfirmAction<T> {
  /** The row being asked about; undefined while the dialog is closed. */
  row: Accessor<T | undefined>;
  ask(row: T): void;
  close(): void;
  confirm(): Promise<void>;
}

/** `touches`: the reads to revalidate once the action succeeded (undefined: all of them), as in createMutation. */
export function createConfirmAction<T>(act: (row: T) => Promise<unknown>, touches: () => string[] | undefined): ConfirmAction<T> {
  const [row, setRow] = createSignal<T>();
  return {
    row,
    ask: (r) => setRow(() => r),
    close: () => setRow(undefined),
    async confirm() {
      const r = row();
      if (r === undefined) return;
      await act(r);
      await revalidate(touches());
    },
  };
}

/** The row's button that opens the confirmation. */
export function ConfirmActionButton<T>(props: { action: ConfirmAction<T>; row: T; label: string; ariaLabel?: string }) {
  return (
    <button type="button" class="btn btn-sm btn-ghost-danger" aria-label={props.ariaLabel} onClick={() => props.action.ask(props.row)}>
      {props.label}
    </button>
  );
}

/** `message` names the row asked about; the dialog stays open with the error if the action fails. */
export function ConfirmActionDialog<T>(props: {
  action: ConfirmAction<T>;
  title: string;
  message: (row: T) => JSX.Element;
  confirmLabel: string;
  confirmDisabled?: boolean;
}) {
  return (
    <ConfirmDialog
      open={props.action.row() !== undefined}
      title={props.title}
      message={
        <Show when={props.action.row()} keyed>
          {(row) => props.message(row)}
        </Show>
      }
      confirmLabel={props.confirmLabel}
      confirmDisabled={props.confirmDisabled}
      onConfirm={() => props.action.confirm()}
      onClose={() => props.action.close()}
    />
  );
}
