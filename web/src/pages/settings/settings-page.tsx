// /settings: the tenant's settings in tabs; a tab the caller's role cannot read is not offered.
import type { Permission } from "@nebula/schema/core/roles";
import { A, type RouteSectionProps } from "@solidjs/router";
import { For } from "solid-js";
import { useSession } from "../../session/session.tsx";
import { Boundary } from "../../ui/boundary.tsx";

const TABS: { href: string; label: string; testId: string; permission?: Permission }[] = [
  { href: "/settings", label: "General", testId: "tab-general" },
  { href: "/settings/members", label: "Members", testId: "tab-members", permission: "members.read" },
  { href: "/settings/invites", label: "Invites", testId: "tab-invites", permission: "invites.read" },
  { href: "/settings/tokens", label: "API tokens", testId: "tab-tokens", permission: "tokens.read" },
  { href: "/settings/audit", label: "Audit log", testId: "tab-audit", permission: "audit.read" },
  { href: "/settings/account", label: "Account", testId: "tab-account" },
];

export default function SettingsPage(props: RouteSectionProps) {
  const session = useSession();
  const visible = () => TABS.filter((t) => !t.permission || session.can(t.permission));
  return (
    <div class="page">
      <div class="page-header">
        <div>
          <h1>Settings</h1>
          <p>{session.tenant() ? `Manage ${session.tenant()?.name}, its people and its access.` : "Your account."}</p>
        </div>
      </div>
      <nav class="tabs" aria-label="Settings sections">
        <For each={visible()}>
          {(tab) => (
            <A href={tab.href} end class="tab" activeClass="active" data-testid={tab.testId}>
              {tab.label}
            </A>
          )}
        </For>
      </nav>
      <Boundary>{props.children}</Boundary>
    </div>
  );
}
