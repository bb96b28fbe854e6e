// "/": welcome, the server's health, the first steps for a new tenant (each one checked off from real data), and
// the fleet of hosts.
import { createAsync, revalidate } from "@solidjs/router";
import { createSignal, For, type JSX, Show } from "solid-js";
import { getHealth, getMembers, getTokens } from "../../api/client.ts";
import { SystemStatus } from "../../health/system-status.tsx";
import { useSession } from "../../session/session.tsx";
import { FleetCard } from "../fleet/fleet-card.tsx";
import { CreateTenantDialog } from "../../shell/create-tenant-dialog.tsx";
import { Avatar } from "../../ui/avatar.tsx";
import { Badge } from "../../ui/badge.tsx";
import { Boundary } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { CheckIcon, RefreshIcon } from "../../ui/icons.tsx";

function Welcome() {
  const session = useSession();
  const [creating, setCreating] = createSignal(false);
  return (
    <section class="card welcome" data-testid="welcome">
      <div class="card-body">
        <Avatar name={session.me().user.name} url={session.me().user.avatarUrl} size={48} />
        <div class="grow" style={{ flex: 1 }}>
          <h1>Welcome, {session.me().user.name}</h1>
          <Show
            when={session.tenant()}
            fallback={<p class="muted">You are not in a tenant yet. Create one, or open an invite link from a tenant's admin.</p>}
          >
            {(t) => (
              <p class="muted">
                You are {t().role === "owner" || t().role === "admin" || t().role === "operator" ? "an" : "a"} {t().role} of{" "}
                <strong style={{ color: "var(--text)" }}>{t().name}</strong>.
              </p>
            )}
          </Show>
        </div>
        <Show when={!session.tenant()}>
          <button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>
            Create tenant
          </button>
          <CreateTenantDialog open={creating()} onClose={() => setCreating(false)} />
        </Show>
      </div>
    </section>
  );
}

function HealthCard() {
  const health = createAsync(() => getHealth());
  return (
    <Card
      title="System health"
      testId="health-card"
      description={<Show when={health()} fallback="Checking…">{(h) => <>Version <code>{h().version}</code></>}</Show>}
      actions={
        <div class="form-actions">
          <Show when={health()}>
            {(h) => (
              <Badge plain tone={h().status === "ok" ? "success" : "warning"}>
                {h().status === "ok" ? "All systems ok" : "Degraded"}
              </Badge>
            )}
          </Show>
          <button type="button" class="icon-button" aria-label="Refresh health" onClick={() => revalidate(getHealth.key)}>
            <RefreshIcon />
          </button>
        </div>
      }
    >
      <Show when={health()}>{(h) => <SystemStatus health={h()} />}</Show>
    </Card>
  );
}

type Step = { title: string; detail: string; href: string; cta: string; done: boolean | undefined; testId: string };

function GettingStarted(props: { tenantId: string }) {
  const session = useSession();
  const health = createAsync(() => getHealth());
  const members = createAsync(() => (session.can("invites.create") ? getMembers(props.tenantId) : Promise.resolve(undefined)));
  const tokens = createAsync(() => (session.can("tokens.create") ? getTokens(props.tenantId) : Promise.resolve(undefined)));

  const steps = (): Step[] => {
    const list: Step[] = [];
    if (session.can("invites.create")) {
      list.push({
        title: "Invite your members",
        detail: "Send invite links to the people who help run your lab and community.",
        href: "/settings/invites",
        cta: "Invite",
        done: members() ? (members()?.items.length ?? 0) > 1 : undefined,
        testId: "step-invite",
      });
    }
    if (session.can("tokens.create")) {
      list.push({
        title: "Create an API token",
        detail: "Let scripts and CI talk to Nebula Command.",
        href: "/settings/tokens",
        cta: "Create token",
        done: tokens() ? (tokens()?.items.some((t) => !t.revokedAt) ?? false) : undefined,
        testId: "step-token",
      });
    }
    list.push({
      title: "Connect Discord",
      detail: "Add your Discord application's credentials so the bot and slash commands work.",
      href: "/discord",
      cta: "Set up",
      done: health() ? Boolean(health()?.discord.bot && health()?.discord.interactions) : undefined,
      testId: "step-discord",
    });
    return list;
  };

  return (
    <Card title="Getting started" description={`${steps().filter((s) => s.done).length} of ${steps().length} done`} testId="getting-started">
      <ul class="checklist">
        <For each={steps()}>
          {(step) => (
            <li data-testid={step.testId} data-done={step.done ? "true" : "false"}>
              <span class={`check${step.done ? " done" : ""}`} aria-label={step.done ? "Done" : "Not done"} role="img">
                <CheckIcon size={12} />
              </span>
              <div class="grow">
                <div>{step.title}</div>
                <div class="detail">{step.detail}</div>
              </div>
              <Show when={!step.done}>
                <a class="btn btn-sm" href={step.href}>
                  {step.cta}
                </a>
              </Show>
            </li>
          )}
        </For>
      </ul>
    </Card>
  );
}

function Section(props: { children: JSX.Element }) {
  return (
    <Boundary
      fallback={
        <section class="card">
          <div class="card-body">
            <div class="skeleton" style={{ width: "40%" }} />
            <div class="skeleton" />
            <div class="skeleton" style={{ width: "70%" }} />
          </div>
        </section>
      }
    >
      {props.children}
    </Boundary>
  );
}

export default function DashboardPage() {
  const session = useSession();
  return (
    <div class="page" data-testid="dashboard">
      <Welcome />
      <div class="grid-2">
        <Section>
          <HealthCard />
        </Section>
        <Show when={session.tenant()?.id} keyed>
          {(tenantId) => (
            <Section>
              <GettingStarted tenantId={tenantId} />
            </Section>
          )}
        </Show>
      </div>
      <Show when={session.tenant()?.id} keyed>
        {(tenantId) => (
          <Section>
            <FleetCard tenantId={tenantId} />
          </Section>
        )}
      </Show>
    </div>
  );
}
