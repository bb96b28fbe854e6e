// A data table with column headings; `actions` adds a last, unlabeled column for row buttons.
import { For, type JSX, Show } from "solid-js";

export function Table(props: { columns: string[]; actions?: boolean; testId: string; children: JSX.Element }) {
  return (
    <div class="table-wrap">
      <table class="table" data-testid={props.testId}>
        <thead>
          <tr>
            <For each={props.columns}>{(c) => <th>{c}</th>}</For>
            <Show when={props.actions}>
              <th class="actions">
                <span class="sr-only">Actions</span>
              </th>
            </Show>
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

/** A Table with one row per item, or `empty` while there are none (a list not read yet counts as none). */
export function ListTable<T>(props: {
  items: readonly T[] | undefined;
  empty: JSX.Element;
  columns: string[];
  actions?: boolean;
  testId: string;
  children: (item: T) => JSX.Element;
}) {
  return (
    <Show when={(props.items?.length ?? 0) > 0} fallback={props.empty}>
      <Table columns={props.columns} actions={props.actions} testId={props.testId}>
        <For each={props.items}>{(item) => props.children(item)}</For>
      </Table>
    </Show>
  );
}
