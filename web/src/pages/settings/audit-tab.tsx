// Settings > Audit log: every state-changing action (who, what, target, result), newest first,
// filtered by action (kept in the URL: ?action=) and paged with "Load more".
import type { AuditEntry } from "@nebula/schema/api/core";
import { createAsync, useSearchParams } from "@solidjs/router";
import { createEffect, createMemo, createSignal, For, on, Show } from "solid-js";
import { getAuditPage } from "../../api/client.ts";
import { Badge } from "../../ui/badge.tsx";
import { createPagedList, LoadMore } from "../../ui/paged-list.tsx";
import { Card } from "../../ui/card.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ListIcon } from "../../ui/icons.tsx";
import { TimeAgo } from "../../ui/time.tsx";
import { ListTable } from "../../ui/table.tsx";
import { TenantScope } from "./tenant-scope.tsx";

/** What an action touched, in words: api_token → "API token", discord_guild → "Discord guild". */
const TARGET_WORDS: Record<string, string> = { api: "API", discord: "Discord", github: "GitHub", url: "URL", vm: "VM" };
export function targetTypeLabel(type: string): string {
  const words = type.split(/[_.]/).map((w) => TARGET_WORDS[w] ?? w);
  const text = words.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function AuditRow(props: { entry: AuditEntry }) {
  return (
    <tr data-testid="audit-row">
      <td class="nowrap">
        <TimeAgo iso={props.entry.createdAt} />
      </td>
      <td>{props.entry.actorName}</td>
      <td>
        <code data-testid="audit-action">{props.entry.action}</code>
      </td>
      <td>
        <Show when={props.entry.targetType} fallback={<span class="faint">—</span>}>
          <span class="muted">{targetTypeLabel(props.entry.targetType ?? "")}</span> <code>{props.entry.targetId}</code>
        </Show>
      </td>
      <td>
        <Badge tone={props.entry.result === "success" ? "success" : "danger"}>{props.entry.result}</Badge>
      </td>
    </tr>
  );
}

function AuditLog(props: { tenantId: string }) {
  const [params, setParams] = useSearchParams<{ action?: string }>();
  const action = () => params.action ?? "";
  const [draft, setDraft] = createSignal(action());
  createEffect(on(action, (a) => setDraft(a)));

  const first = createAsync(() => getAuditPage(props.tenantId, action(), null));
  const pages = createPagedList(first, (cursor) => getAuditPage(props.tenantId, action(), cursor));
  const entries = pages.items;
  const knownActions = createMemo(() => [...new Set(entries().map((e) => e.action))].sort());

  function applyFilter(e: SubmitEvent) {
    e.preventDefault();
    setParams({ action: draft().trim() || undefined });
  }

  return (
    <Card
      title="Audit log"
      description="Every change in this tenant: who did it, to what, and whether it worked."
      actions={
        <form class="toolbar" onSubmit={applyFilter} aria-label="Filter audit log">
          <label class="field">
            <span class="sr-only">Action</span>
            <input
              class="input"
              name="action"
              list="audit-actions"
              placeholder="Filter by action"
              title="An action as listed below, e.g. api_token.create"
              value={draft()}
              onInput={(e) => setDraft(e.currentTarget.value)}
              data-testid="audit-filter"
            />
            <datalist id="audit-actions">
              <For each={knownActions()}>{(a) => <option value={a} />}</For>
            </datalist>
          </label>
          <button type="submit" class="btn">
            Filter
          </button>
          <Show when={action()}>
            <button type="button" class="btn btn-ghost" onClick={() => setParams({ action: undefined })}>
              Clear
            </button>
          </Show>
        </form>
      }
    >
      <ListTable
        items={entries()}
        empty={
          <EmptyState icon={<ListIcon size={20} />} title={action() ? "No matching entries" : "No audit entries yet"} testId="audit-empty">
            {action() ? `Nothing in this tenant's log has the action "${action()}".` : "Changes to members, invites and tokens appear here."}
          </EmptyState>
        }
        columns={["Time", "Actor", "Action", "Target", "Result"]}
        testId="audit-table"
      >
        {(entry) => <AuditRow entry={entry} />}
      </ListTable>
      <LoadMore list={pages} testId="audit-load-more" />
    </Card>
  );
}

export default function AuditTab() {
  return <TenantScope permission="audit.read" what="the audit log">{(tenantId) => <AuditLog tenantId={tenantId} />}</TenantScope>;
}
