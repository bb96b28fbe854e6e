// /hosts/:agentId: one host's facts, its charts, and tabs for its containers, VMs (with gaming mode), storage,
// service probes and job history. The agent comes from the fleet list, refreshed every few seconds like the Dashboard's.
import type { Agent } from "@nebula/schema/api/agents";
import { A, createAsync, type RouteSectionProps, useParams } from "@solidjs/router";
import { For, type JSX, Show } from "solid-js";
import { getAgents } from "../../api/client.ts";
import { useSession } from "../../session/session.tsx";
import { Badge } from "../../ui/badge.tsx";
import { Boundary } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { AlertIcon } from "../../ui/icons.tsx";
import { fullTime, TimeAgo } from "../../ui/time.tsx";
import { useRefresh } from "./fleet-card.tsx";
import { bytes } from "./format.ts";
import { HostContext } from "./host-context.tsx";
import { factsOf, hostStatus } from "./host-facts.ts";
import { HostMetrics } from "./host-metrics.tsx";
import { HostPowerCard } from "./host-power.tsx";

const TABS = [
  { path: "", label: "Containers", testId: "tab-containers" },
  { path: "/vms", label: "VMs", testId: "tab-vms" },
  { path: "/storage", label: "Storage", testId: "tab-storage" },
  { path: "/probes", label: "Probes", testId: "tab-probes" },
  { path: "/jobs", label: "Jobs", testId: "tab-jobs" },
];

function When(props: { iso: string | null; never: string }) {
  return (
    <Show when={props.iso} fallback={<span class="faint">{props.never}</span>}>
      {(iso) => <TimeAgo iso={iso()} />}
    </Show>
  );
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Samples the agent's full spool dropped and messages either side refused: all should stay 0, so more stands out. */
function LinkHealth(props: { agent: Agent }) {
  const h = () => props.agent.health;
  const rejected = () => h().rejectedMessages + h().agentRejectedMessages;
  const text = () => `${plural(h().lostSamples, "lost sample", "lost samples")} · ${plural(rejected(), "rejected message", "rejected messages")}`;
  const troubled = () => h().lostSamples > 0 || h().lostBatches > 0 || rejected() > 0;
  return (
    <span
      data-testid="link-health"
      data-troubled={troubled()}
      title={h().lastLossAt ? `${plural(h().lostBatches, "batch", "batches")} dropped by the agent's full spool, last reported ${fullTime(h().lastLossAt ?? "")}` : undefined}
    >
      <Show when={troubled()} fallback={<span class="muted">{text()}</span>}>
        <Badge tone="warning">{text()}</Badge>
      </Show>
    </span>
  );
}

function Facts(props: { agent: Agent }) {
  const facts = () => factsOf(props.agent);
  const row = (label: string, value: JSX.Element) => (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
  return (
    <Card title="Host" testId="host-facts" description="What the agent reported when it last connected.">
      <div class="card-body">
        <Show
          when={facts()}
          fallback={<p class="muted">This host's agent has not connected yet. Run it with the token shown when the host was added.</p>}
        >
          {(f) => (
            <dl class="kv kv-2">
              {row("Hostname", <span data-testid="fact-hostname">{f().hostname ?? "—"}</span>)}
              {row("System", `${f().os ?? "?"} ${f().osRelease ?? ""} · ${f().arch ?? "?"}`)}
              {row("CPUs", f().cpuCount ?? "—")}
              {row("Memory", bytes(f().totalMemoryBytes))}
              {row("Agent", `${f().agentVersion ?? "?"}${f().nodeVersion ? ` on Node ${f().nodeVersion}` : ""}`)}
              {row("Job kinds", f().capabilities?.length ?? 0)}
            </dl>
          )}
        </Show>
        <dl class="kv kv-2">
          {row("Online since", <When iso={props.agent.onlineSince} never="Not connected" />)}
          {row("Last seen", <When iso={props.agent.lastSeenAt} never="Never" />)}
          {row("Added", <span title={fullTime(props.agent.createdAt)}><TimeAgo iso={props.agent.createdAt} /></span>)}
          {row("Agent ID", <code>{props.agent.id}</code>)}
          {row("Link health", <LinkHealth agent={props.agent} />)}
        </dl>
      </div>
    </Card>
  );
}

function HostView(props: { tenantId: string; agentId: string; children: JSX.Element }) {
  const session = useSession();
  const agents = createAsync(() => getAgents(props.tenantId));
  useRefresh(() => [getAgents.keyFor(props.tenantId)]);
  const agent = () => agents()?.items.find((a) => a.id === props.agentId);
  const base = () => `/hosts/${encodeURIComponent(props.agentId)}`;
  return (
    <Show
      when={agent()}
      fallback={
        <Show when={agents()}>
          <div class="card">
            <EmptyState title="Host not found" testId="host-not-found" action={<A class="btn" href="/">Back to the fleet</A>}>
              There is no host with this id in the active tenant.
            </EmptyState>
          </div>
        </Show>
      }
    >
      {(a) => (
        <HostContext.Provider value={{ tenantId: props.tenantId, agentId: props.agentId, agent: a }}>
          <div class="page-header">
            <div>
              <A href="/" class="faint">
                ← Fleet
              </A>
              <h1 data-testid="host-name">
                {a().name}{" "}
                <span data-testid="host-status" data-status={hostStatus(a()).key}>
                  <Badge tone={hostStatus(a()).tone}>{hostStatus(a()).label}</Badge>
                </span>
              </h1>
              <p>{factsOf(a())?.hostname ?? "Waiting for the agent's first connection"}</p>
            </div>
            <Show when={session.can("alerts.read")}>
              <A class="btn btn-sm" href={`/alerts?host=${encodeURIComponent(props.agentId)}`} data-testid="host-alerts-link">
                <AlertIcon size={14} /> Alerts
              </A>
            </Show>
          </div>
          <Facts agent={a()} />
          <Show when={!a().revokedAt}>
            <HostPowerCard />
            <HostMetrics tenantId={props.tenantId} agentId={props.agentId} cpuCount={factsOf(a())?.cpuCount} />
            <nav class="tabs" aria-label="Host sections">
              <For each={TABS}>
                {(tab) => (
                  <A href={`${base()}${tab.path}`} end class="tab" activeClass="active" data-testid={tab.testId}>
                    {tab.label}
                  </A>
                )}
              </For>
            </nav>
            <Boundary>{props.children}</Boundary>
          </Show>
        </HostContext.Provider>
      )}
    </Show>
  );
}

export default function HostPage(props: RouteSectionProps) {
  const session = useSession();
  const params = useParams<{ agentId: string }>();
  return (
    <div class="page" data-testid="host-page">
      <Show when={session.tenant()?.id} keyed fallback={<div class="card"><EmptyState title="No tenant yet">Hosts belong to a tenant.</EmptyState></div>}>
        {(tenantId) => (
          <Show when={params.agentId} keyed>
            {(agentId) => (
              <HostView tenantId={tenantId} agentId={agentId}>
                {props.children}
              </HostView>
            )}
          </Show>
        )}
      </Show>
    </div>
  );
}
