// /streams/inbox: every follow, sub, cheer, raid, donation, mention, super chat and membership from all platforms
// in one list. Filter chips (platform, type), search, unread styling, mark read/unread, mark all read; new items
// arrive over the tenant's inbox socket and appear at the top without a reload ("3 new" when scrolled away). Admins
// also manage the sources (webhooks, channels) and how long notifications are kept.
// Viewer text (names, messages) is only ever rendered as text.
import { createAsync, revalidate } from "@solidjs/router";
import { batch, createEffect, createMemo, createSignal, For, on, onCleanup, Show } from "solid-js";
import {
  fetchInboxPage,
  getInboxPage,
  getInboxSettings,
  type InboxFilters,
  type InboxItem,
  inboxLiveUrl,
  markAllInboxRead,
  markInbox,
  matchesFilters,
  saveInboxSettings,
} from "../../api/streams-inbox.ts";
import { useSession } from "../../session/session.tsx";
import { Avatar } from "../../ui/avatar.tsx";
import { Boundary, InlineError } from "../../ui/boundary.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { StreamIcon } from "../../ui/icons.tsx";
import { TimeAgo } from "../../ui/time.tsx";
import "./inbox.css";
import { InboxSourcesCard } from "./inbox-sources.tsx";
import { StreamsNav } from "./streams-nav.tsx";

const PLATFORMS = [
  ["twitch", "Twitch"],
  ["youtube", "YouTube"],
  ["kick", "Kick"],
  ["custom", "Webhooks"],
] as const;
const TYPES = [
  ["follow", "Follows"],
  ["sub", "Subs"],
  ["resub", "Resubs"],
  ["gift_sub", "Gift subs"],
  ["cheer", "Cheers"],
  ["donation", "Donations"],
  ["raid", "Raids"],
  ["mention", "Mentions"],
  ["super_chat", "Super chats"],
  ["membership", "Memberships"],
] as const;
const PING_MS = 30_000;
/** Scrolled further than this from the top, new items wait behind the "N new" pill instead of moving the list. */
const AT_TOP_PX = 120;

/** One line of what happened, in the product's words. Only numbers and platform words: no viewer text here. */
export function inboxSummary(item: InboxItem): string {
  const money = item.amount !== null ? `${item.amount.toFixed(2)}${item.currency ? ` ${item.currency}` : ""}` : "";
  switch (item.type) {
    case "follow":
      return "followed";
    case "sub":
      return `subscribed${item.tier ? ` (${item.tier})` : ""}`;
    case "resub":
      return `resubscribed${item.months ? ` for ${item.months} months` : ""}${item.tier ? ` (${item.tier})` : ""}`;
    case "gift_sub":
      return `gifted ${item.count ?? 1} sub${item.count === 1 ? "" : "s"}${item.tier ? ` (${item.tier})` : ""}`;
    case "cheer":
      // Kick's kicks.gifted is a cheer counted in Kicks (amount, currency KICKS) rather than bits.
      return item.bits === null && item.amount !== null ? `gifted ${item.amount} Kicks` : `cheered ${item.bits ?? 0} bits`;
    case "donation":
      return money ? `donated ${money}` : "donated";
    case "raid":
      return `raided with ${item.viewers ?? 0} viewers`;
    case "mention":
      return "mentioned you";
    case "super_chat":
      return money ? `sent a Super Chat of ${money}` : "sent a Super Chat";
    case "membership":
      return item.months && item.months > 1 ? `has been a member for ${item.months} months` : `became a member${item.tier ? ` (${item.tier})` : ""}`;
  }
}

function toggle(list: readonly string[], value: string): string[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

export default function InboxPage() {
  const session = useSession();
  const tenantId = () => session.tenant()?.id ?? "";
  const [filters, setFilters] = createSignal<InboxFilters>({ platforms: [], types: [], unread: false, q: "" });
  const [search, setSearch] = createSignal("");
  const key = () => JSON.stringify(filters());
  const page = createAsync(() => (tenantId() ? getInboxPage(tenantId(), key()) : Promise.resolve(undefined)));

  // Items that arrived live (shown), items waiting behind the pill, older pages, and local read-state edits.
  const [live, setLive] = createSignal<InboxItem[]>([]);
  const [waiting, setWaiting] = createSignal<InboxItem[]>([]);
  const [older, setOlder] = createSignal<{ items: InboxItem[]; cursor: string | null }>({ items: [], cursor: null });
  const [readAt, setReadAt] = createSignal<Record<string, string | null>>({});
  const [unread, setUnread] = createSignal(0);
  const [error, setError] = createSignal<unknown>();
  const [loadingMore, setLoadingMore] = createSignal(false);
  const [connected, setConnected] = createSignal(false);

  createEffect(
    on(page, (p) => {
      batch(() => {
        setLive([]);
        setWaiting([]);
        setOlder({ items: [], cursor: p?.nextCursor ?? null });
        setReadAt({});
        setUnread(p?.unread ?? 0);
      });
    }),
  );

  const items = createMemo(() => {
    const seen = new Set<string>();
    const edits = readAt();
    const out: InboxItem[] = [];
    for (const item of [...live(), ...(page()?.items ?? []), ...older().items]) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      out.push(item.id in edits ? { ...item, readAt: edits[item.id] ?? null } : item);
    }
    return out;
  });

  function showWaiting() {
    batch(() => {
      setLive([...waiting(), ...live()]);
      setWaiting([]);
    });
    window.scrollTo({ top: 0, behavior: "smooth" });
  }

  // The live socket: reconnects after a drop (then reloads the first page, which has what was missed).
  createEffect(
    on(tenantId, (id) => {
      if (!id) return;
      let ws: WebSocket | undefined;
      let stopped = false;
      let retry: ReturnType<typeof setTimeout> | undefined;
      let attempts = 0;
      const ping = setInterval(() => ws?.readyState === WebSocket.OPEN && ws.send("ping"), PING_MS);
      const open = () => {
        ws = new WebSocket(inboxLiveUrl(id));
        ws.onopen = () => {
          setConnected(true);
          if (attempts > 0) void revalidate(getInboxPage.key);
          attempts = 0;
        };
        ws.onmessage = (event) => {
          if (typeof event.data !== "string" || event.data === "pong") return;
          try {
            const frame = JSON.parse(event.data) as { type: string; item?: InboxItem };
            if (frame.type !== "item" || !frame.item) return;
            const item = frame.item;
            if (!item.readAt) setUnread(unread() + 1);
            if (!matchesFilters(item, filters())) return;
            if (window.scrollY > AT_TOP_PX) setWaiting([item, ...waiting()]);
            else setLive([item, ...live()]);
          } catch {
            // A frame we cannot read: the list reloads on the next filter change anyway.
          }
        };
        ws.onclose = () => {
          setConnected(false);
          if (stopped) return;
          attempts++;
          retry = setTimeout(open, Math.min(30_000, 1000 * 2 ** Math.min(attempts, 5)));
        };
      };
      open();
      onCleanup(() => {
        stopped = true;
        clearInterval(ping);
        clearTimeout(retry);
        ws?.close(1000, "leaving");
      });
    }),
  );

  const canTriage = () => session.can("inbox.triage");

  async function setRead(item: InboxItem, read: boolean) {
    setError(undefined);
    try {
      const result = await markInbox(tenantId(), [item.id], read);
      setReadAt({ ...readAt(), [item.id]: read ? new Date().toISOString() : null });
      setUnread(result.unread);
    } catch (err) {
      setError(err);
    }
  }

  async function readAll() {
    setError(undefined);
    try {
      const result = await markAllInboxRead(tenantId(), new Date().toISOString());
      const now = new Date().toISOString();
      const edits = { ...readAt() };
      for (const item of items()) if (!item.readAt) edits[item.id] = now;
      setReadAt(edits);
      setUnread(result.unread);
    } catch (err) {
      setError(err);
    }
  }

  async function loadMore() {
    const cursor = older().cursor;
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const next = await fetchInboxPage(tenantId(), filters(), cursor);
      setOlder({ items: [...older().items, ...next.items], cursor: next.nextCursor });
    } catch (err) {
      setError(err);
    } finally {
      setLoadingMore(false);
    }
  }

  const filtered = () => {
    const f = filters();
    return f.platforms.length > 0 || f.types.length > 0 || f.unread || f.q.trim() !== "";
  };

  return (
    <div class="page" data-testid="inbox-page" data-live={connected() ? "open" : "closed"}>
      <div class="page-header">
        <div>
          <h1>
            Inbox{" "}
            <Show when={unread() > 0}>
              <span class="inbox-unread-count" data-testid="inbox-unread">
                {unread()} unread
              </span>
            </Show>
          </h1>
          <p>Follows, subs, cheers, raids, donations, mentions, super chats and memberships from every platform.</p>
        </div>
        <Show when={canTriage()}>
          <button type="button" class="btn" onClick={() => void readAll()} disabled={unread() === 0} data-testid="inbox-read-all">
            Mark all read
          </button>
        </Show>
      </div>
      <StreamsNav />

      <section class="card inbox-filters">
        <form
          class="inbox-search"
          onSubmit={(e) => {
            e.preventDefault();
            setFilters({ ...filters(), q: search() });
          }}
        >
          <input class="input" type="search" placeholder="Search names and messages" aria-label="Search the inbox" value={search()} onInput={(e) => setSearch(e.currentTarget.value)} data-testid="inbox-search" />
          <button type="submit" class="btn">
            Search
          </button>
        </form>
        <fieldset class="inbox-chips" aria-label="Platforms">
          <For each={PLATFORMS}>
            {([value, label]) => (
              <button
                type="button"
                class="inbox-chip"
                aria-pressed={filters().platforms.includes(value)}
                onClick={() => setFilters({ ...filters(), platforms: toggle(filters().platforms, value) })}
                data-testid={`inbox-platform-${value}`}
              >
                {label}
              </button>
            )}
          </For>
          <span class="inbox-chip-gap" />
          <button type="button" class="inbox-chip" aria-pressed={filters().unread} onClick={() => setFilters({ ...filters(), unread: !filters().unread })} data-testid="inbox-unread-only">
            Unread only
          </button>
        </fieldset>
        <fieldset class="inbox-chips" aria-label="Types">
          <For each={TYPES}>
            {([value, label]) => (
              <button
                type="button"
                class="inbox-chip"
                aria-pressed={filters().types.includes(value)}
                onClick={() => setFilters({ ...filters(), types: toggle(filters().types, value) })}
                data-testid={`inbox-type-${value}`}
              >
                {label}
              </button>
            )}
          </For>
        </fieldset>
      </section>

      <Show when={waiting().length > 0}>
        <button type="button" class="inbox-new-pill" onClick={showWaiting} data-testid="inbox-new-pill">
          {waiting().length} new
        </button>
      </Show>
      <Show when={error()}>{(err) => <InlineError error={err()} />}</Show>

      <Boundary>
        <section class="card">
          <Show
            when={items().length > 0}
            fallback={
              <Show when={page()}>
                <EmptyState icon={<StreamIcon size={22} />} title={filtered() ? "Nothing matches these filters" : "Your inbox is empty"} testId="inbox-empty">
                  {filtered()
                    ? "Try another platform or type, or clear the search."
                    : "Follows, subs, raids, donations and mentions appear here the moment they happen, from every channel that feeds this inbox."}
                </EmptyState>
              </Show>
            }
          >
            <ul class="inbox-list" data-testid="inbox-list">
              <For each={items()}>
                {(item) => (
                  <li class="inbox-item" classList={{ unread: !item.readAt }} data-testid="inbox-item" data-id={item.id} data-unread={item.readAt ? "false" : "true"}>
                    <Avatar name={item.actor.name} url={item.actor.avatarUrl} size={32} />
                    <div class="inbox-item-body">
                      <div class="inbox-item-line">
                        <span class={`inbox-platform inbox-platform-${item.platform}`}>{PLATFORMS.find(([v]) => v === item.platform)?.[1]}</span>
                        <strong class="inbox-actor" data-testid="inbox-actor">
                          {item.actor.name}
                        </strong>{" "}
                        <span data-testid="inbox-summary">{inboxSummary(item)}</span>
                      </div>
                      <Show when={item.message}>
                        <p class="inbox-message" data-testid="inbox-message">
                          {item.message}
                        </p>
                      </Show>
                    </div>
                    <div class="inbox-item-meta">
                      <TimeAgo iso={item.occurredAt} />
                      <Show when={canTriage()}>
                        <button type="button" class="btn btn-sm" onClick={() => void setRead(item, !item.readAt)} data-testid="inbox-toggle-read">
                          {item.readAt ? "Mark unread" : "Mark read"}
                        </button>
                      </Show>
                    </div>
                  </li>
                )}
              </For>
            </ul>
            <Show when={older().cursor}>
              <div class="load-more">
                <button type="button" class="btn" onClick={() => void loadMore()} disabled={loadingMore()} data-testid="inbox-load-more">
                  {loadingMore() ? "Loading…" : "Load more"}
                </button>
              </div>
            </Show>
          </Show>
        </section>
      </Boundary>

      <Show when={tenantId() && session.can("inbox.manage")}>
        <InboxSourcesCard tenantId={tenantId()} />
      </Show>
      <RetentionCard tenantId={tenantId()} />
    </div>
  );
}

function RetentionCard(props: { tenantId: string }) {
  const session = useSession();
  const settings = createAsync(() => (props.tenantId ? getInboxSettings(props.tenantId) : Promise.resolve(undefined)));
  const [days, setDays] = createSignal<number>();
  const [saved, setSaved] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const value = () => days() ?? settings()?.retentionDays ?? 90;

  async function save(e: SubmitEvent) {
    e.preventDefault();
    setSaved(false);
    setError(undefined);
    try {
      await saveInboxSettings(props.tenantId, { retentionDays: value() });
      await revalidate(getInboxSettings.keyFor(props.tenantId));
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section class="card inbox-retention" data-testid="inbox-retention">
      <form class="card-body inbox-retention-form" onSubmit={(e) => void save(e)}>
        <label class="field">
          <span>Keep notifications for (days)</span>
          <input
            class="input"
            type="number"
            min="1"
            max="365"
            value={value()}
            disabled={!session.can("inbox.manage")}
            onInput={(e) => setDays(Number(e.currentTarget.value))}
            data-testid="inbox-retention-days"
          />
        </label>
        <Show when={session.can("inbox.manage")}>
          <button type="submit" class="btn" data-testid="inbox-retention-save">
            Save
          </button>
        </Show>
        <Show when={saved()}>
          <span class="field-hint">Saved. Older notifications are deleted within the hour.</span>
        </Show>
        <Show when={error()}>{(err) => <InlineError error={err()} />}</Show>
      </form>
    </section>
  );
}
