// The "nothing here yet" state: an icon, a title, what to do about it.
import { type JSX, Show } from "solid-js";

export function EmptyState(props: { icon?: JSX.Element; title: string; children?: JSX.Element; action?: JSX.Element; testId?: string }) {
  return (
    <div class="empty" data-testid={props.testId}>
      <Show when={props.icon}>
        <span class="empty-icon">{props.icon}</span>
      </Show>
      <h2>{props.title}</h2>
      <Show when={props.children}>
        <p>{props.children}</p>
      </Show>
      {props.action}
    </div>
  );
}
