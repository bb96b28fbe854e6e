// The shell of a tab whose API is not served yet: it says what will appear here, and where to do it meanwhile.
import type { JSX } from "solid-js";
import { EmptyState } from "../../ui/empty-state.tsx";

export function ComingTab(props: { title: string; testId: string; icon?: JSX.Element; children: JSX.Element }) {
  return (
    <div class="card" data-testid={props.testId}>
      <EmptyState icon={props.icon} title={props.title} testId={`${props.testId}-empty`}>
        {props.children}
      </EmptyState>
    </div>
  );
}
