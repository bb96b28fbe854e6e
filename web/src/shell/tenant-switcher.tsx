// Top-bar dropdown: the user's tenants, switching the active one, and "Create tenant".
import { createEffect, createSignal, For, onCleanup, Show } from "solid-js";
import { switchTenant } from "../api/client.ts";
import { createMutation } from "../api/mutation.ts";
import { useSession } from "../session/session.tsx";
import { InlineError } from "../ui/boundary.tsx";
import { CheckIcon, ChevronDownIcon, PlusIcon } from "../ui/icons.tsx";
import { CreateTenantDialog } from "./create-tenant-dialog.tsx";

export function TenantSwitcher() {
  const session = useSession();
  const [open, setOpen] = createSignal(false);
  const [creating, setCreating] = createSignal(false);
  // Every tenant-scoped read changes with the active tenant: refetch them all.
  const change = createMutation(switchTenant, () => undefined);
  let root!: HTMLDivElement;
  let button!: HTMLButtonElement;

  createEffect(() => {
    if (!open()) return;
    const outside = (e: MouseEvent) => !root.contains(e.target as Node) && setOpen(false);
    const onEscape = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        button.focus();
      }
    };
    document.addEventListener("mousedown", outside);
    document.addEventListener("keydown", onEscape);
    onCleanup(() => {
      document.removeEventListener("mousedown", outside);
      document.removeEventListener("keydown", onEscape);
    });
    root.querySelector<HTMLElement>("[role=menuitemradio], [role=menuitem]")?.focus();
  });

  async function choose(tenantId: string) {
    if (tenantId === session.tenant()?.id) return setOpen(false);
    if (await change.run(tenantId)) setOpen(false);
  }

  function moveFocus(e: KeyboardEvent) {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    e.preventDefault();
    const items = [...root.querySelectorAll<HTMLElement>("[role=menuitemradio], [role=menuitem]")];
    const at = items.indexOf(document.activeElement as HTMLElement);
    items[(at + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length]?.focus();
  }

  return (
    <div class="menu-root" ref={root}>
      <button
        ref={button}
        type="button"
        class="tenant-button"
        aria-haspopup="menu"
        aria-expanded={open()}
        aria-label="Switch tenant"
        data-testid="tenant-switcher"
        onClick={() => setOpen(!open())}
      >
        <span class="tenant-initial" aria-hidden="true">
          {(session.tenant()?.name ?? "?").slice(0, 1).toUpperCase()}
        </span>
        <span class="tenant-label">{session.tenant()?.name ?? "No tenant"}</span>
        <ChevronDownIcon size={14} />
      </button>
      <Show when={open()}>
        <div class="menu" role="menu" aria-label="Tenants" onKeyDown={moveFocus}>
          <Show when={session.me().tenants.length > 0}>
            <div class="menu-label">Tenants</div>
          </Show>
          <For each={session.me().tenants}>
            {(t) => (
              <button
                type="button"
                class="menu-item"
                role="menuitemradio"
                aria-checked={t.id === session.tenant()?.id}
                disabled={change.pending()}
                onClick={() => choose(t.id)}
              >
                <span class="tenant-initial" aria-hidden="true">
                  {t.name.slice(0, 1).toUpperCase()}
                </span>
                <span class="grow">{t.name}</span>
                <span class="faint" style={{ "font-size": "12px" }}>
                  {t.role}
                </span>
                <span style={{ width: "16px", color: "var(--accent-text)" }}>
                  <Show when={t.id === session.tenant()?.id}>
                    <CheckIcon />
                  </Show>
                </span>
              </button>
            )}
          </For>
          <Show when={change.error()}>
            {(err) => (
              <div class="menu-error">
                <InlineError error={err()} />
              </div>
            )}
          </Show>
          <Show when={session.me().tenants.length > 0}>
            <div class="menu-sep" />
          </Show>
          <button
            type="button"
            class="menu-item"
            role="menuitem"
            data-testid="create-tenant"
            onClick={() => {
              setOpen(false);
              setCreating(true);
            }}
          >
            <PlusIcon />
            <span class="grow">Create tenant</span>
          </button>
        </div>
      </Show>
      <CreateTenantDialog open={creating()} onClose={() => setCreating(false)} />
    </div>
  );
}
