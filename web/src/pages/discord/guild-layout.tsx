// /discord/:guildId/*: one linked server. Five core tabs (Overview, Tickets, Streams, Welcome, Commands) and a
// "More tools" menu (GitHub, Now Playing, Analytics, Settings); the server comes from the tenant's guild list.
import { A, createAsync, type RouteSectionProps, useLocation, useParams } from "@solidjs/router";
import { createEffect, createSignal, For, onCleanup, Show } from "solid-js";
import { getDiscordGuilds } from "../../api/discord.ts";
import { useSession } from "../../session/session.tsx";
import { Boundary } from "../../ui/boundary.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ChevronDownIcon } from "../../ui/icons.tsx";
import { GuildContext } from "./guild-context.tsx";
import { SectionHeader } from "./section-header.tsx";

const CORE_TABS = [
  { path: "overview", label: "Overview" },
  { path: "tickets", label: "Tickets" },
  { path: "streams", label: "Streams" },
  { path: "welcome", label: "Welcome" },
  { path: "commands", label: "Commands" },
];
const MORE_TOOLS = [
  { path: "github", label: "GitHub", what: "Repository events and deploys" },
  { path: "now-playing", label: "Now Playing", what: "Plex and Lanyard presence" },
  { path: "analytics", label: "Analytics", what: "Joins, messages, usage" },
  { path: "settings", label: "Settings", what: "Linked server, unlink" },
];

function MoreToolsMenu(props: { base: string }) {
  const location = useLocation();
  const [open, setOpen] = createSignal(false);
  let root!: HTMLDivElement;
  let button!: HTMLButtonElement;
  const active = () => MORE_TOOLS.find((t) => location.pathname.startsWith(`${props.base}/${t.path}`));

  createEffect(() => {
    if (!open()) return;
    const outside = (e: MouseEvent) => !root.contains(e.target as Node) && setOpen(false);
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        button.focus();
      } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const items = [...root.querySelectorAll<HTMLElement>("[role=menuitem]")];
        const at = items.indexOf(document.activeElement as HTMLElement);
        items[(at + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length]?.focus();
      }
    };
    document.addEventListener("mousedown", outside);
    document.addEventListener("keydown", onKey);
    onCleanup(() => {
      document.removeEventListener("mousedown", outside);
      document.removeEventListener("keydown", onKey);
    });
    root.querySelector<HTMLElement>("[role=menuitem]")?.focus();
  });

  return (
    <div class="menu-root more-tools" ref={root}>
      <button
        ref={button}
        type="button"
        class="tab more-tools-button"
        classList={{ active: Boolean(active()) }}
        aria-haspopup="menu"
        aria-expanded={open()}
        data-testid="discord-more-tools"
        onClick={() => setOpen(!open())}
      >
        {active()?.label ?? "More tools"} <ChevronDownIcon size={14} />
      </button>
      <Show when={open()}>
        <div class="menu menu-right" role="menu" aria-label="More tools">
          <For each={MORE_TOOLS}>
            {(tool) => (
              <A
                href={`${props.base}/${tool.path}`}
                class="menu-item"
                role="menuitem"
                data-testid={`discord-tool-${tool.path}`}
                onClick={() => setOpen(false)}
              >
                <span class="grow">
                  {tool.label}
                  <span class="menu-hint">{tool.what}</span>
                </span>
              </A>
            )}
          </For>
        </div>
      </Show>
    </div>
  );
}

export default function GuildLayout(props: RouteSectionProps) {
  const session = useSession();
  const params = useParams<{ guildId: string }>();
  const tenantId = () => session.tenant()?.id ?? "";
  const guilds = createAsync(() => getDiscordGuilds(tenantId()));
  const guild = () => guilds()?.guilds.find((g) => g.guildId === params.guildId);
  const base = () => `/discord/${encodeURIComponent(params.guildId)}`;
  const location = useLocation();

  return (
    <>
      <SectionHeader tenantId={tenantId()} guildId={params.guildId} />
      <Show
        when={guild()?.guildId}
        fallback={
          <Show when={guilds()}>
            <div class="card">
              <EmptyState title="Server not linked" testId="guild-not-found" action={<A class="btn" href="/discord">Back to Discord</A>}>
                This Discord server is not linked to the active tenant. It may have been unlinked, or it belongs to another tenant.
              </EmptyState>
            </div>
          </Show>
        }
        keyed
      >
        {(guildId) => (
          // Keyed on the id: a refreshed guild list updates the server in place instead of re-mounting the tab.
          <GuildContext.Provider value={{ tenantId: tenantId(), guildId, guild: () => guild()!, base: base() }}>
            <div class="discord-tabs">
              <nav class="tabs grow" aria-label="Discord sections">
                <For each={CORE_TABS}>
                  {(tab) => (
                    <A
                      href={`${base()}/${tab.path}`}
                      class="tab"
                      activeClass="active"
                      // The server's bare address shows the Overview too.
                      classList={{ active: tab.path === "overview" && location.pathname.replace(/\/$/, "") === base() }}
                      data-testid={`discord-tab-${tab.path}`}
                    >
                      {tab.label}
                    </A>
                  )}
                </For>
              </nav>
              <MoreToolsMenu base={base()} />
            </div>
            <Boundary>{props.children}</Boundary>
          </GuildContext.Provider>
        )}
      </Show>
    </>
  );
}
