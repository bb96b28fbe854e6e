// A cursor-paged list: the first page comes from a query (so it refreshes with it), later pages are fetched
// on demand and start over whenever the first page changes. LoadMore shows the button and any paging error.
import { type Accessor, createEffect, createMemo, createSignal, on, Show } from "solid-js";
import { InlineError } from "./boundary.tsx";

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PagedList<T> {
  items: Accessor<T[]>;
  cursor: Accessor<string | null>;
  loading: Accessor<boolean>;
  error: Accessor<unknown>;
  loadMore(): Promise<void>;
}

export function createPagedList<T>(first: Accessor<Page<T> | undefined>, fetchPage: (cursor: string) => Promise<Page<T>>): PagedList<T> {
  const [more, setMore] = createSignal<Page<T>[]>([]);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  createEffect(
    on(first, () => {
      setMore([]);
      setError(undefined);
    }),
  );
  const items = createMemo(() => [...(first()?.items ?? []), ...more().flatMap((p) => p.items)]);
  const cursor = () => (more().at(-1) ?? first())?.nextCursor ?? null;

  async function loadMore() {
    const c = cursor();
    if (!c) return;
    setLoading(true);
    setError(undefined);
    try {
      const page = await fetchPage(c);
      setMore([...more(), page]);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  }

  return { items, cursor, loading, error, loadMore };
}

export function LoadMore(props: { list: PagedList<unknown>; testId: string }) {
  return (
    <>
      <Show when={props.list.error()}>
        {(err) => (
          <div class="card-body">
            <InlineError error={err()} />
          </div>
        )}
      </Show>
      <Show when={props.list.cursor()}>
        <div class="load-more">
          <button type="button" class="btn" onClick={() => void props.list.loadMore()} disabled={props.list.loading()} data-testid={props.testId}>
            {props.list.loading() ? "Loading…" : "Load more"}
          </button>
        </div>
      </Show>
    </>
  );
}
