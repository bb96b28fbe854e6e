// Modal dialogs on the native <dialog> element (focus trap, Escape and inert background for free),
// and the confirmation every destructive action goes through.
import { createEffect, createSignal, createUniqueId, type JSX, on, Show } from "solid-js";
import { Portal } from "solid-js/web";
import { InlineError } from "./boundary.tsx";

export function Dialog(props: { open: boolean; title: string; onClose: () => void; children: JSX.Element; testId?: string }) {
  let el!: HTMLDialogElement;
  const titleId = createUniqueId();
  createEffect(() => {
    if (props.open && !el.open) el.showModal();
    else if (!props.open && el.open) el.close();
  });
  // Rendered at body level, outside the page's Suspense boundaries: a read inside the dialog (a server's channels)
  // suspends the card that opened it, which takes that card's DOM out of the document and puts it back, and a
  // <dialog> taken out leaves the top layer; it came back open but no longer modal, under the app's top bar.
  return (
    <Portal>
      <dialog
        ref={el}
        class="dialog"
        aria-labelledby={titleId}
        data-testid={props.testId}
        onClose={() => props.open && props.onClose()}
      >
        <Show when={props.open}>
          <div class="dialog-body">
            <h2 id={titleId}>{props.title}</h2>
            {props.children}
          </div>
        </Show>
      </dialog>
    </Portal>
  );
}

/** Asks before a destructive action; stays open with the error if the action fails. */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  message: JSX.Element;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
  /** Holds the confirm button back, e.g. until the name of what is about to go is typed. */
  confirmDisabled?: boolean;
}) {
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  createEffect(on(() => props.open, (open) => open && setError(undefined)));

  async function confirm() {
    setPending(true);
    setError(undefined);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  }

  return (
    <Dialog open={props.open} title={props.title} onClose={() => !pending() && props.onClose()} testId="confirm-dialog">
      <p>{props.message}</p>
      <Show when={error()}>{(err) => <InlineError error={err()} />}</Show>
      <div class="dialog-actions">
        <button type="button" class="btn" onClick={() => props.onClose()} disabled={pending()}>
          Cancel
        </button>
        <button type="button" class="btn btn-danger" data-testid="confirm-button" onClick={confirm} disabled={pending() || props.confirmDisabled}>
          {pending() ? "Working…" : props.confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
