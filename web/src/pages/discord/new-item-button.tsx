// The "+ New …" button in a Discord tab card's header, shown only to members who may manage the tab.
import { type JSX, Show } from "solid-js";
import { PlusIcon } from "../../ui/icons.tsx";

export function NewItemButton(props: { when: boolean; testId: string; onClick: () => void; children: JSX.Element }) {
  return (
    <Show when={props.when}>
      <button type="button" class="btn btn-primary btn-sm" data-testid={props.testId} onClick={() => props.onClick()}>
        <PlusIcon size={14} /> {props.children}
      </button>
    </Show>
  );
}
