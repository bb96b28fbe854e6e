// The signed-in frame: top bar (tenant switcher, role, user), sidebar navigation, and the page.
import type { MeResponse } from "@nebula/schema/api/core";
import { A, useLocation, useNavigate } from "@solidjs/router";
import { createEffect, createSignal, type JSX, on, onCleanup, onMount, Show } from "solid-js";
import { pendingInvite } from "../session/pending-invite.ts";
import { SessionProvider, useSession } from "../session/session.tsx";
import { Avatar } from "../ui/avatar.tsx";
import { RoleBadge } from "../ui/badge.tsx";
import { Boundary } from "../ui/boundary.tsx";
import { DashboardIcon, DiscordIcon, ListIcon, MenuIcon, NebulaMark, SettingsIcon, StreamIcon } from "../ui/icons.tsx";
import { TenantSwitcher } from "./tenant-switcher.tsx";

const NAV = [
  { href: "/", label: "Dashboard", testId: "nav-dashboard", icon: DashboardIcon, end: true },
  { href: "/discord", label: "Discord", testId: "nav-discord", icon: DiscordIcon, end: false },
  { href: "/streams", label: "Streams", testId: "nav-streams", icon: StreamIcon, end: false },
  { href: "/overlays", label: "Overlays", testId: "nav-overlays", icon: ListIcon, end: false },
  { href: "/settings", label: "Settings", testId: "nav-settings", icon: SettingsIcon, end: false },
] as const;

export function AppShell(props: { me: MeResponse; children: JSX.Element }) {
  return (
    <SessionProvider me={props.me}>
      <Frame>{props.children}</Frame>
    </SessionProvider>
  );
}

function Frame(props: { children: JSX.Element }) {
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const [navOpen, setNavOpen] = createSignal(false);

  // Back from signing in to accept an invite: finish on the invite page.
  onMount(() => {
    const token = pendingInvite();
    if (token && !location.pathname.startsWith("/invite/")) navigate(`/invite/${encodeURIComponent(token)}`, { replace: true });
  });
  createEffect(on(() => location.pathname, () => setNavOpen(false), { defer: true }));
  // The drawer (narrow screens) closes on a click outside it or Escape.
  let sidebar!: HTMLElement;
  let toggle!: HTMLButtonElement;
  createEffect(() => {
    if (!navOpen()) return;
    const outside = (e: MouseEvent) => {
      const target = e.target as Node;
      if (!sidebar.contains(target) && !toggle.contains(target)) setNavOpen(false);
    };
    const onEscape = (e: KeyboardEvent) => e.key === "Escape" && setNavOpen(false);
    document.addEventListener("mousedown", outside);
    document.addEventListener("keydown", onEscape);
    onCleanup(() => {
      document.removeEventListener("mousedown", outside);
      document.removeEventListener("keydown", onEscape);
    });
  });

  return (
    <div class="shell" classList={{ "nav-open": navOpen() }}>
      <header class="topbar">
        <button
          ref={toggle}
          type="button"
          class="icon-button menu-toggle"
          aria-label={navOpen() ? "Close navigation" : "Open navigation"}
          aria-expanded={navOpen()}
          aria-controls="sidebar"
          onClick={() => setNavOpen(!navOpen())}
        >
          <MenuIcon size={18} />
        </button>
        <A href="/" class="brand" aria-label="Nebula Command home">
          <NebulaMark />
          <span class="brand-name">Nebula Command</span>
        </A>
        <TenantSwitcher />
        <Show when={session.tenant()}>{(t) => <RoleBadge role={t().role} testId="role-badge" />}</Show>
        <div class="topbar-spacer" />
        <A href="/settings/account" class="user-chip" data-testid="user-menu" title="Account settings">
          <Avatar name={session.me().user.name} url={session.me().user.avatarUrl} />
          <span class="user-name">{session.me().user.name}</span>
        </A>
      </header>
      <nav ref={sidebar} id="sidebar" class="sidebar" aria-label="Main">
        {NAV.map((item) => (
          <A
            href={item.href}
            end={item.end}
            class="nav-link"
            activeClass="active"
            // A host's page belongs to the Dashboard, where the fleet is.
            classList={item.href === "/" ? { active: location.pathname === "/" || location.pathname.startsWith("/hosts/") } : undefined}
            data-testid={item.testId}
          >
            <item.icon />
            {item.label}
          </A>
        ))}
      </nav>
      <div class="nav-backdrop" />
      <main class="content" id="main">
        <Boundary>{props.children}</Boundary>
      </main>
    </div>
  );
}
