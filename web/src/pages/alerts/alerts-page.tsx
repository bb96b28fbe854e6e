// /alerts: the tenant's alert rules (admins create them from a template or from scratch, change, pause and delete
// them; everyone else reads them) and the alert history, newest first, paged with "Load more".
// Reached from the Dashboard's fleet card and from a host's page (?host=<agentId> picks the host to preview).
import type { AlertRuleView } from "@nebula/schema/api/alerts";
import { A, createAsync, revalidate, useSearchParams } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import {
  deleteAlertRule,
  getAgents,
  getAlertEvents,
  getAlertRules,
  getAlertTemplates,
  getAuditPage,
  updateAlertRule,
} from "../../api/client.ts";
import { createMutation } from "../../api/mutation.ts";
import { useSession } from "../../session/session.tsx";
import { Badge } from "../../ui/badge.tsx";
import { Boundary, InlineError } from "../../ui/boundary.tsx";
import { createPagedList, LoadMore } from "../../ui/paged-list.tsx";
import { Card } from "../../ui/card.tsx";
import { ConfirmActionButton, ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { AlertIcon, ListIcon, PlusIcon } from "../../ui/icons.tsx";
import { ListTable } from "../../ui/table.tsx";
import { TimeAgo } from "../../ui/time.tsx";
import { useRefresh } from "../fleet/fleet-card.tsx";
import { RefreshButton } from "../fleet/job-ui.tsx";
import { TenantScope } from "../settings/tenant-scope.tsx";
import { metricLabel, metricValue } from "../fleet/format.ts";
import { conditionText, destinationText, SEVERITY_TONE, TRANSITION_TONE } from "./alert-format.ts";
import { RuleDialog } from "./rule-dialog.tsx";

/** Host names for ids; a host no longer listed shows its id. */
function useHostNames(tenantId: string) {
  const agents = createAsync(() => getAgents(tenantId));
  return {
    agents: () => agents()?.items ?? [],
    name: (id: string) => agents()?.items.find((a) => a.id === id)?.name ?? id,
  };
}

/** Where a rule posts: `#name`, or the channel id marked as unknown, or the server it still needs picking. */
function RuleDestination(props: { rule: AlertRuleView; channelNames: Record<string, string> }) {
  const shown = () => destinationText(props.rule.destination, props.channelNames);
  return (
    <>
      <span data-testid="alert-rule-destination" data-known={shown().known} classList={{ mono: props.rule.destination.kind === "webhook" || !shown().known }}>
        {shown().text}
      </span>
      <Show when={props.rule.destinationNeedsServer}>
        {" "}
        <span title="Saved before a server was required: it still posts; edit it to pick its server" data-testid="alert-rule-needs-server">
          <Badge tone="warning">pick its server</Badge>
        </span>
      </Show>
      <Show when={!shown().known && !props.rule.destinationNeedsServer}>
        {" "}
        <span title="Discord does not list this channel now: it was deleted, or the bot is no longer in its server" data-testid="alert-rule-unknown-channel">
          <Badge tone="warning">unknown channel</Badge>
        </span>
      </Show>
    </>
  );
}

function RulesCard(props: { tenantId: string; previewHost: string | undefined }) {
  const session = useSession();
  const manage = () => session.can("alerts.manage");
  const rules = createAsync(() => getAlertRules(props.tenantId));
  const templates = createAsync(() => (manage() ? getAlertTemplates(props.tenantId) : Promise.resolve({ items: [] })));
  const hosts = useHostNames(props.tenantId);
  // undefined: closed; null: a new rule.
  const [editing, setEditing] = createSignal<AlertRuleView | null>();
  const touched = () => [getAlertRules.keyFor(props.tenantId), getAuditPage.key];
  const toggle = createMutation((r: AlertRuleView) => updateAlertRule(props.tenantId, r.id, { enabled: !r.enabled }), touched);
  const remove = createConfirmAction((r: AlertRuleView) => deleteAlertRule(props.tenantId, r.id), touched);

  return (
    <>
      <Card
        title="Rules"
        testId="alert-rules"
        description={manage() ? "What to watch on your hosts, and whom to tell. Changes reach the hosts at once." : "What is watched on your hosts, and who is told."}
        actions={
          <div class="form-actions">
            <RefreshButton label="Refresh rules" onClick={() => revalidate(getAlertRules.key)} />
            <Show when={manage()}>
              <button type="button" class="btn btn-primary btn-sm" data-testid="create-alert-rule" onClick={() => setEditing(null)}>
                <PlusIcon size={14} /> New rule
              </button>
            </Show>
          </div>
        }
      >
        <ListTable
          items={rules()?.items}
          empty={
            <EmptyState icon={<AlertIcon size={20} />} title="No alert rules yet" testId="alert-rules-empty">
              {manage()
                ? "Create a rule, from a template such as “Agent offline” or from any metric, to hear about trouble in Discord."
                : "An admin creates alert rules; they appear here."}
            </EmptyState>
          }
          columns={["Rule", "Condition", "Hosts", "Severity", "Notifies", "Status"]}
          actions={manage()}
          testId="alert-rules-table"
        >
          {(r) => (
            <tr data-testid="alert-rule-row" data-rule-id={r.id}>
              <td>{r.name}</td>
              <td>
                <span title={r.rule.metric} data-testid="alert-rule-condition">
                  {conditionText(r.rule)}
                </span>
              </td>
              <td>{r.agentId === null ? <span class="muted">All hosts</span> : hosts.name(r.agentId)}</td>
              <td>
                <Badge tone={SEVERITY_TONE[r.rule.severity]}>{r.rule.severity}</Badge>
              </td>
              <td>
                <RuleDestination rule={r} channelNames={rules()?.channelNames ?? {}} />
              </td>
              <td>
                <span data-testid="alert-rule-status" data-enabled={r.enabled}>
                  <Badge tone={r.enabled ? "success" : "neutral"}>{r.enabled ? "enabled" : "paused"}</Badge>
                </span>
              </td>
              <Show when={manage()}>
                <td class="actions nowrap">
                  <button type="button" class="btn btn-sm" aria-label={`Edit ${r.name}`} onClick={() => setEditing(r)}>
                    Edit
                  </button>{" "}
                  <button
                    type="button"
                    class="btn btn-sm"
                    data-testid="alert-rule-toggle"
                    aria-label={`${r.enabled ? "Pause" : "Enable"} ${r.name}`}
                    disabled={toggle.pending()}
                    onClick={() => void toggle.run(r)}
                  >
                    {r.enabled ? "Pause" : "Enable"}
                  </button>{" "}
                  <ConfirmActionButton action={remove} row={r} label="Delete" ariaLabel={`Delete ${r.name}`} />
                </td>
              </Show>
            </tr>
          )}
        </ListTable>
        <Show when={toggle.error()}>
          {(err) => (
            <div class="card-body">
              <InlineError error={err()} />
            </div>
          )}
        </Show>
      </Card>
      <Show when={editing() !== undefined}>
        <RuleDialog
          tenantId={props.tenantId}
          rule={editing() ?? undefined}
          templates={templates()?.items ?? []}
          agents={hosts.agents()}
          previewHost={props.previewHost}
          onClose={() => setEditing(undefined)}
        />
      </Show>
      <ConfirmActionDialog
        action={remove}
        title="Delete alert rule?"
        message={(r) => (
          <>
            <strong>{r.name}</strong> stops watching at once and a firing alert of it is not resolved. Its history stays. This cannot be undone.
          </>
        )}
        confirmLabel="Delete rule"
      />
    </>
  );
}

function HistoryCard(props: { tenantId: string }) {
  const hosts = useHostNames(props.tenantId);
  const first = createAsync(() => getAlertEvents(props.tenantId, null));
  useRefresh(() => [getAlertEvents.keyFor(props.tenantId, null)]);
  const history = createPagedList(first, (cursor) => getAlertEvents(props.tenantId, cursor));
  const events = history.items;

  return (
    <Card
      title="History"
      testId="alert-history-card"
      description="Every time an alert fired or resolved, and whether its destination was told."
      actions={<RefreshButton label="Refresh history" onClick={() => revalidate(getAlertEvents.key)} />}
    >
      <ListTable
        items={events()}
        empty={
          <EmptyState icon={<ListIcon size={20} />} title="Nothing has fired yet" testId="alert-history-empty">
            When a rule's condition holds, the alert fires, and it resolves when the condition clears; both appear here.
          </EmptyState>
        }
        columns={["When", "Rule", "Host", "About", "State", "Value", "Notified"]}
        testId="alert-history"
      >
        {(ev) => (
          <tr data-testid="alert-event-row" data-transition={ev.transition}>
            <td class="nowrap">
              <TimeAgo iso={ev.at} />
            </td>
            <td>{ev.ruleName ?? <span class="faint">Deleted rule</span>}</td>
            <td>{hosts.name(ev.agentId)}</td>
            <td>
              <span title={ev.subject} data-testid="alert-event-subject">
                {metricLabel(ev.subject)}
              </span>
            </td>
            <td>
              <Badge tone={TRANSITION_TONE[ev.transition]}>{ev.transition}</Badge>
            </td>
            <td class="nowrap">{metricValue(ev.subject, ev.value)}</td>
            <td>{ev.notified ? "Yes" : <span class="faint" title="Quiet hours or an offline host held it back">Held back</span>}</td>
          </tr>
        )}
      </ListTable>
      <LoadMore list={history} testId="alert-history-load-more" />
    </Card>
  );
}

export default function AlertsPage() {
  const [params] = useSearchParams<{ host?: string }>();
  return (
    <div class="page" data-testid="alerts-page">
      <div class="page-header">
        <div>
          <A href="/" class="faint">
            ← Dashboard
          </A>
          <h1>Alerts</h1>
          <p>Rules that watch your hosts' metrics and tell Discord when something is wrong, and what they did.</p>
        </div>
      </div>
      <TenantScope permission="alerts.read" what="alerts">
        {(tenantId) => (
          <>
            <Boundary>
              <RulesCard tenantId={tenantId} previewHost={params.host} />
            </Boundary>
            <Boundary>
              <HistoryCard tenantId={tenantId} />
            </Boundary>
          </>
        )}
      </TenantScope>
    </div>
  );
}
