// What a Discord tab's card says above its content after an action: that it worked (a success notice) or why it
// failed (the API's error, with its request id).
import { type JSX, Show } from "solid-js";
import { InlineError } from "../../ui/boundary.tsx";

/** A success notice in its own card-body row; announced to screen readers. */
export function CardSuccess(props: { testId: string; children: JSX.Element }) {
  return (
    <div class="card-body">
      <div class="notice notice-success" role="status" data-testid={props.testId}>
        {props.children}
      </div>
    </div>
  );
}

/** The failed action's error in its own card-body row; nothing while there is none. */
export function CardError(props: { error: unknown }) {
  return (
    <Show when={props.error}>
      {(err) => (
        <div class="card-body">
          <InlineError error={err()} />
        </div>
      )}
    </Show>
  );
}
