// A panel with a titled header: the building block of every page.
import { type JSX, Show } from "solid-js";

export function Card(props: { title: string; description?: JSX.Element; actions?: JSX.Element; testId?: string; children?: JSX.Element }) {
  return (
    <section class="card" data-testid={props.testId}>
      <div class="card-header">
        <div>
          <h2>{props.title}</h2>
          <Show when={props.description}>
            <p>{props.description}</p>
          </Show>
        </div>
        {props.actions}
      </div>
      {props.children}
    </section>
  );
}
