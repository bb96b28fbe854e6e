// Tickets: stats (counts, median first response and resolution, per category), the server's tickets with search,
// filters and pages (each opens its ticket page with the transcript), and the panels, categories and settings.
import { A, createAsync } from "@solidjs/router";
import { createEffect, createMemo, createSignal, Index, onCleanup, Show, untrack, useTransition } from "solid-js";
import { fetchTickets, getTicketConfig, getTickets, getTicketStats, type TicketFilters, type TicketStats, type TicketSummary } from "../../api/discord-tickets.ts";
import { Badge } from "../../ui/badge.tsx";
import { Boundary } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ListIcon } from "../../ui/icons.tsx";
import { createPagedList, LoadMore } from "../../ui/paged-list.tsx";
import { ListTable } from "../../ui/table.tsx";
import { TimeAgo } from "../../ui/time.tsx";
import { useGuild } from "./guild-context.tsx";
import { TicketPanelsCard, TicketSettingsCard } from "./tickets-config.tsx";

const SEARCH_DELAY_MS = 300;

/** "4 min", "2 h 10 min", "3 d 4 h": response and resolution times as people read them. */
export function humanDuration(seconds: number | null): string {
  if (seconds === null) return "—";
  const m = Math.round(seconds / 60);
  if (m < 1) return `${Math.max(0, Math.round(seconds))} s`;
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return h % 24 ? `${Math.floor(h / 24)} d ${h % 24} h` : `${Math.floor(h / 24)} d`;
}

function Stat(props: { label: string; value: string | number; testId: string; hint?: string }) {
  return (
    <div class="stat" data-testid={props.testId} title={props.hint}>
      <span class="stat-value">{props.value}</span>
      <span class="stat-label">{props.label}</span>
    </div>
  );
}

const rating = (s: { averageRating: number | null; ratings: number }) => (s.averageRating === null ? "—" : `${s.averageRating.toFixed(1)} ★ (${s.ratings})`);

function StatsCard() {
  const scope = useGuild();
  const stats = createAsync(() => getTicketStats(scope.tenantId, scope.guildId));
  return (
    <Card title="Ticket stats" testId="ticket-stats" description="All tickets of this server. Times are medians: half the tickets were faster.">
      <Show when={stats()}>
        {(s) => (
          <>
            <div class="card-body stat-grid analytics-totals">
              <Stat label="Tickets" value={s().count} testId="ticket-stat-count" />
              <Stat label="Open" value={s().open} testId="ticket-stat-open" />
              <Stat label="Closed" value={s().closed} testId="ticket-stat-closed" />
              <Stat label="First staff response" value={humanDuration(s().medianFirstResponseSeconds)} testId="ticket-stat-first-response" hint="Median time to the first staff message" />
              <Stat label="Resolution" value={humanDuration(s().medianResolutionSeconds)} testId="ticket-stat-resolution" hint="Median time from open to close" />
              <Stat label="Rating" value={rating(s())} testId="ticket-stat-rating" />
            </div>
            <Show when={s().categories.length > 0}>
              <CategoryStats categories={s().categories} />
            </Show>
          </>
        )}
      </Show>
    </Card>
  );
}

function CategoryStats(props: { categories: TicketStats["categories"] }) {
  return (
    <ListTable items={props.categories} empty={null} columns={["Category", "Tickets", "Open", "First response", "Resolution", "Rating"]} testId="ticket-category-stats">
      {(c) => (
        <tr>
          <td>{c.categoryName}</td>
          <td>{c.count}</td>
          <td>{c.open}</td>
          <td>{humanDuration(c.medianFirstResponseSeconds)}</td>
          <td>{humanDuration(c.medianResolutionSeconds)}</td>
          <td>{rating(c)}</td>
        </tr>
      )}
    </ListTable>
  );
}

function TicketRows(props: { filters: TicketFilters; filtered: boolean; onSeen: (items: TicketSummary[]) => void }) {
  const scope = useGuild();
  const key = () => JSON.stringify(props.filters);
  const first = createAsync(() => getTickets(scope.tenantId, scope.guildId, key()));
  const asPage = (p: { items: TicketSummary[]; nextCursor: number | null }) => ({ items: p.items, nextCursor: p.nextCursor === null ? null : String(p.nextCursor) });
  const firstPage = createMemo(() => {
    const p = first();
    return p ? asPage(p) : undefined;
  });
  const list = createPagedList<TicketSummary>(firstPage, (cursor) => fetchTickets(scope.tenantId, scope.guildId, props.filters, Number(cursor)).then(asPage));
  createEffect(() => props.onSeen(list.items()));
  return (
    <>
      <ListTable
        items={first() ? list.items() : undefined}
        empty={
          <Show
            when={props.filtered}
            fallback={
              <EmptyState icon={<ListIcon size={20} />} title="No tickets yet" testId="tickets-empty">
                Members open tickets from a panel posted in Discord: create one below with its categories and post it to a channel.
              </EmptyState>
            }
          >
            <EmptyState icon={<ListIcon size={20} />} title="No tickets match" testId="tickets-no-match">
              Try another search or fewer filters.
            </EmptyState>
          </Show>
        }
        columns={["#", "Subject", "Category", "Opened by", "Claimed by", "Status", "Last activity"]}
        testId="tickets-table"
      >
        {(t) => (
          <tr data-testid="ticket-row" data-ticket-id={t.id}>
            <td class="mono">#{t.number}</td>
            <td>
              <A href={`${scope.base}/tickets/${encodeURIComponent(t.id)}`} data-testid="ticket-link">
                {t.subject || `Ticket #${t.number}`}
              </A>
            </td>
            <td>{t.categoryName}</td>
            <td>{t.openerName}</td>
            <td>{t.claimedByName ?? <span class="faint">Unclaimed</span>}</td>
            <td>
              <Badge tone={t.status === "open" ? "success" : "neutral"}>{t.status}</Badge>
            </td>
            <td class="nowrap">
              <TimeAgo iso={t.lastActivityAt} />
            </td>
          </tr>
        )}
      </ListTable>
      <LoadMore list={list} testId="tickets-load-more" />
    </>
  );
}

function TicketsCard() {
  const scope = useGuild();
  const config = createAsync(() => getTicketConfig(scope.tenantId, scope.guildId));
  const [typed, setTyped] = createSignal("");
  const [filters, setFilters] = createSignal<TicketFilters>({ q: "", status: "", categoryId: "", claimedBy: "" });
  const [pending, start] = useTransition();
  const categories = () => (config()?.panels ?? []).flatMap((p) => p.categories);
  const filtered = () => Object.values(filters()).some(Boolean);
  // Claimers seen so far, for the filter (the API filters by any Discord id).
  const [claimers, setClaimers] = createSignal<Map<string, string>>(new Map());
  const change = (patch: Partial<TicketFilters>) => start(() => setFilters({ ...filters(), ...patch }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const search = (value: string) => {
    setTyped(value);
    clearTimeout(timer);
    timer = setTimeout(() => change({ q: value }), SEARCH_DELAY_MS);
  };
  const seen = (items: TicketSummary[]) => {
    const known = untrack(claimers);
    const next = new Map(known);
    for (const t of items) if (t.claimedById) next.set(t.claimedById, t.claimedByName ?? t.claimedById);
    if (next.size !== known.size) setClaimers(next);
  };

  return (
    <Card title="Tickets" testId="tickets-card" description="Newest first. Open one for its answers and transcript.">
      <div class="card-body"><div class="toolbar" classList={{ "is-pending": pending() }}>
        <label class="field">
          <span>Search</span>
          <input class="input" type="search" placeholder="Subject, member, ID or #number" value={typed()} onInput={(e) => search(e.currentTarget.value)} data-testid="tickets-search" />
        </label>
        <label class="field field-narrow">
          <span>Status</span>
          <select class="select" value={filters().status} onChange={(e) => change({ status: e.currentTarget.value as TicketFilters["status"] })} data-testid="tickets-status">
            <option value="">Any</option>
            <option value="open">Open</option>
            <option value="closed">Closed</option>
          </select>
        </label>
        <label class="field field-narrow">
          <span>Category</span>
          <select class="select" value={filters().categoryId} onChange={(e) => change({ categoryId: e.currentTarget.value })} data-testid="tickets-category">
            <option value="">Any</option>
            {/* Index keeps the option nodes when the config is read again, so the chosen one stays selected. */}
            <Index each={categories()}>{(c) => <option value={c().id}>{c().name}</option>}</Index>
          </select>
        </label>
        <label class="field field-narrow">
          <span>Claimed by</span>
          <select class="select" value={filters().claimedBy} onChange={(e) => change({ claimedBy: e.currentTarget.value })} data-testid="tickets-claimed">
            <option value="">Anyone</option>
            <option value="none">Unclaimed</option>
            <Index each={[...claimers()]}>{(c) => <option value={c()[0]}>{c()[1]}</option>}</Index>
          </select>
        </label>
      </div></div>
      <Boundary>
        <TicketRows filters={filters()} filtered={filtered()} onSeen={seen} />
      </Boundary>
    </Card>
  );
}

export default function TicketsTab() {
  return (
    <div class="stack" data-testid="discord-tickets">
      <Boundary>
        <StatsCard />
      </Boundary>
      <Boundary>
        <TicketsCard />
      </Boundary>
      <Boundary>
        <TicketPanelsCard />
      </Boundary>
      <Boundary>
        <TicketSettingsCard />
      </Boundary>
    </div>
  );
}
