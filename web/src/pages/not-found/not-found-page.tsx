// Any path the app does not know.
import { A } from "@solidjs/router";
import { EmptyState } from "../../ui/empty-state.tsx";

export default function NotFoundPage() {
  return (
    <div class="page">
      <section class="card">
        <EmptyState
          title="Page not found"
          action={
            <A href="/" class="btn">
              Back to the dashboard
            </A>
          }
        >
          There is nothing at this address.
        </EmptyState>
      </section>
    </div>
  );
}
