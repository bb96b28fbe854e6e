// A 400's `details.issues` (zod's, or a domain check's) and template checks, shown under the field they name
// instead of as one line under the form.
import { For } from "solid-js";
import { ApiError } from "../../api/client.ts";

export type FieldIssue = { path: string; message: string; warning?: boolean };

/** The issues of a refused write; [] for any other error (that one is shown whole). */
export function issuesOf(error: unknown): FieldIssue[] {
  if (!(error instanceof ApiError) || error.status !== 400) return [];
  const issues = (error.details as { issues?: unknown } | null)?.issues;
  if (!Array.isArray(issues)) return [];
  return issues.flatMap((i: { path?: unknown; message?: unknown }) =>
    typeof i?.message === "string" ? [{ path: Array.isArray(i.path) ? i.path.join(".") : String(i.path ?? ""), message: i.message }] : [],
  );
}

/** The issues at `path` or below it ("autoRoleIds" shows "autoRoleIds.2"). */
export function FieldIssues(props: { issues: FieldIssue[]; path: string; testId?: string }) {
  const mine = () => props.issues.filter((i) => i.path === props.path || i.path.startsWith(`${props.path}.`));
  return (
    <For each={mine()}>
      {(i) => (
        <span class={i.warning ? "field-hint field-warning" : "inline-error"} role={i.warning ? undefined : "alert"} data-testid={props.testId}>
          {i.warning ? "Warning: " : ""}
          {i.message}
        </span>
      )}
    </For>
  );
}
