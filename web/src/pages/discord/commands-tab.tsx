// Commands: the server's custom slash commands with their usage, where their registration with Discord stands
// (and its error), create/edit in a dialog, delete (asks first), "Re-register", and usage per command.
import { createAsync, revalidate } from "@solidjs/router";
import { createEffect, createSignal, For, onCleanup, Show } from "solid-js";
import { getAuditPage } from "../../api/client.ts";
import {
  type CommandRegistrationView,
  type CustomCommandView,
  deleteCustomCommand,
  getCustomCommands,
  getCustomCommandUsage,
  reRegisterCommands,
  updateCustomCommand,
} from "../../api/discord-commands.ts";
import { createMutation } from "../../api/mutation.ts";
import { useSession } from "../../session/session.tsx";
import { Badge, type BadgeTone } from "../../ui/badge.tsx";
import { Card } from "../../ui/card.tsx";
import { ConfirmActionButton, ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ListIcon, PlusIcon, RefreshIcon } from "../../ui/icons.tsx";
import { ListTable } from "../../ui/table.tsx";
import { fullTime, TimeAgo } from "../../ui/time.tsx";
import { CardError, CardSuccess } from "./card-notices.tsx";
import { CommandDialog } from "./commands-dialog.tsx";
import { GuildBoundary } from "./guild-access.tsx";
import { useGuild } from "./guild-context.tsx";
import { roleLabel, useGuildPickers } from "./pickers.tsx";

const REGISTRATION: Record<CommandRegistrationView["status"], { label: string; tone: BadgeTone; what: string }> = {
  registered: { label: "Registered", tone: "success", what: "Discord shows these commands in the server." },
  pending: { label: "Registering…", tone: "accent", what: "Sent to Discord; it shows up in the server within a minute." },
  failed: { label: "Registration failed", tone: "danger", what: "Discord refused the last registration." },
  none: { label: "Not registered", tone: "neutral", what: "Nothing registered with Discord yet." },
};

const REGISTRATION_POLL_MS = 3000;
const seconds = (s: number) => (s >= 3600 ? `${Math.round(s / 360) / 10} h` : s >= 60 ? `${Math.round(s / 6) / 10} min` : `${s} s`);

function RegistrationNotice(props: { registration: CommandRegistrationView; used: number; limit: number }) {
  const r = () => REGISTRATION[props.registration.status];
  return (
    <div class={`notice ${props.registration.status === "failed" ? "notice-warning" : ""}`} data-testid="command-registration" data-status={props.registration.status}>
      <div class="stack grow" style={{ gap: "4px" }}>
        <span>
          <Badge tone={r().tone} plain>
            {r().label}
          </Badge>{" "}
          <span class="muted">
            {r().what}{" "}
            <Show when={props.registration.registeredAt}>
              {(at) => (
                <span title={fullTime(at())}>
                  Last accepted <TimeAgo iso={at()} />, {props.registration.commandCount} command{props.registration.commandCount === 1 ? "" : "s"}.
                </span>
              )}
            </Show>
          </span>
        </span>
        <Show when={props.registration.error}>
          {(err) => (
            <span class="inline-error" data-testid="command-registration-error">
              Discord: {err()}
            </span>
          )}
        </Show>
        <span class="faint">
          {props.used} of {props.limit} custom commands (Discord allows 100 per server, Nebula's built-in ones included).
        </span>
      </div>
    </div>
  );
}

function UsageCard() {
  const scope = useGuild();
  const usage = createAsync(() => getCustomCommandUsage(scope.tenantId, scope.guildId));
  const used = () => (usage()?.items ?? []).filter((i) => i.usageCount > 0).sort((a, b) => b.usageCount - a.usageCount);
  const max = () => Math.max(1, ...used().map((i) => i.usageCount));
  return (
    <Card title="Usage" testId="command-usage" description={usage() ? `${usage()?.total ?? 0} uses of custom commands in all.` : undefined}>
      <Show
        when={used().length > 0}
        fallback={
          <EmptyState title="No uses yet" testId="command-usage-empty">
            Each time a member runs a custom command it is counted here.
          </EmptyState>
        }
      >
        <div class="card-body stack">
          <For each={used()}>
            {(i) => (
              <div class="usage-bar-row" data-testid="command-usage-row">
                <span class="mono">/{i.name}</span>
                <span class="bar" style={{ width: `${(i.usageCount / max()) * 100}%` }} />
                <span class="muted" title={i.lastUsedAt ? `Last used ${fullTime(i.lastUsedAt)}` : undefined}>
                  {i.usageCount}
                </span>
              </div>
            )}
          </For>
        </div>
      </Show>
    </Card>
  );
}

function CommandsCard() {
  const scope = useGuild();
  const session = useSession();
  const manage = () => session.can("discord.manage");
  const list = createAsync(() => getCustomCommands(scope.tenantId, scope.guildId));
  const pickers = useGuildPickers();
  // undefined: closed; null: creating.
  const [editing, setEditing] = createSignal<CustomCommandView | null>();
  const touched = () => [getCustomCommands.keyFor(scope.tenantId, scope.guildId), getCustomCommandUsage.keyFor(scope.tenantId, scope.guildId), getAuditPage.key];
  const remove = createConfirmAction((c: CustomCommandView) => deleteCustomCommand(scope.tenantId, scope.guildId, c.id), touched);
  const toggle = createMutation((c: CustomCommandView) => updateCustomCommand(scope.tenantId, scope.guildId, c.id, { enabled: !c.enabled }), touched);
  const register = createMutation(() => reRegisterCommands(scope.tenantId, scope.guildId), touched);
  // A registration in flight is settled by a queue consumer within seconds: look again until it is.
  createEffect(() => {
    if (list()?.registration.status !== "pending") return;
    const timer = setTimeout(() => void revalidate(getCustomCommands.keyFor(scope.tenantId, scope.guildId)), REGISTRATION_POLL_MS);
    onCleanup(() => clearTimeout(timer));
  });
  const full = () => (list()?.items.length ?? 0) >= (list()?.limit ?? Number.POSITIVE_INFINITY);

  return (
    <>
      <Card
        title="Custom commands"
        testId="commands-card"
        description="Slash commands of this server's own, registered with Discord as guild commands."
        actions={
          <Show when={manage()}>
            <div class="header-actions">
              <button
                type="button"
                class="btn btn-sm"
                disabled={register.pending()}
                title="Sends this server's command list to Discord again"
                onClick={() => void register.run()}
                data-testid="commands-register"
              >
                <RefreshIcon size={14} /> {register.pending() ? "Registering…" : "Re-register"}
              </button>
              <button type="button" class="btn btn-primary btn-sm" disabled={full()} onClick={() => setEditing(null)} data-testid="create-command">
                <PlusIcon size={14} /> New command
              </button>
            </div>
          </Show>
        }
      >
        <Show when={list()}>
          {(l) => (
            <div class="card-body">
              <RegistrationNotice registration={l().registration} used={l().items.length} limit={l().limit} />
            </div>
          )}
        </Show>
        <Show when={register.result()}>
          <CardSuccess testId="commands-registered">
            Registration requested: Discord shows the commands in the server within a minute.
          </CardSuccess>
        </Show>
        <CardError error={toggle.error() ?? register.error()} />
        <ListTable
          items={list()?.items}
          empty={
            <EmptyState icon={<ListIcon size={20} />} title="No custom commands yet" testId="commands-empty">
              {manage() ? "Create a command: a name, what it answers, and who may use it. It shows up in Discord within a minute." : "An admin creates custom commands here."}
            </EmptyState>
          }
          columns={["Command", "Options", "Who", "Cooldown", "Uses", "Status"]}
          actions
          testId="commands-table"
        >
          {(c) => (
            <tr data-testid="command-row" data-command-id={c.id}>
              <td>
                <strong class="mono">/{c.name}</strong>
                <div class="faint">{c.description}</div>
                <For each={c.warnings}>{(w) => <div class="field-hint field-warning">Warning: {w.message}</div>}</For>
              </td>
              <td>
                <Show when={c.options.length} fallback={<span class="faint">—</span>}>
                  <span class="mono" title={c.options.map((o) => `${o.name} (${o.type}${o.required ? ", required" : ""})`).join("\n")}>
                    {c.options.map((o) => (o.required ? o.name : `${o.name}?`)).join(" ")}
                  </span>
                </Show>
              </td>
              <td class="mono">{c.allowedRoleIds.length ? c.allowedRoleIds.map((id) => roleLabel(pickers, id)).join(", ") : <span class="faint">Everyone</span>}</td>
              <td class="nowrap">
                <Show when={c.userCooldownSeconds || c.globalCooldownSeconds} fallback={<span class="faint">None</span>}>
                  {[c.userCooldownSeconds && `${seconds(c.userCooldownSeconds)} each`, c.globalCooldownSeconds && `${seconds(c.globalCooldownSeconds)} all`].filter(Boolean).join(" · ")}
                </Show>
              </td>
              <td class="nowrap" data-testid="command-uses">
                {c.usageCount}
                <Show when={c.lastUsedAt}>
                  {(at) => (
                    <div class="faint">
                      <TimeAgo iso={at()} />
                    </div>
                  )}
                </Show>
              </td>
              <td>
                <Badge tone={c.enabled ? "success" : "neutral"}>{c.enabled ? "on" : "off"}</Badge>
                <Show when={c.ephemeral}>
                  <div class="faint">Private answer</div>
                </Show>
              </td>
              <td class="actions">
                <Show when={manage()}>
                  <div class="row-actions">
                    <button type="button" class="btn btn-sm" aria-label={`Edit /${c.name}`} onClick={() => setEditing(c)}>
                      Edit
                    </button>
                    <button type="button" class="btn btn-sm" disabled={toggle.pending()} onClick={() => void toggle.run(c)}>
                      {c.enabled ? "Disable" : "Enable"}
                    </button>
                    <ConfirmActionButton action={remove} row={c} label="Delete" ariaLabel={`Delete /${c.name}`} />
                  </div>
                </Show>
              </td>
            </tr>
          )}
        </ListTable>
      </Card>
      <Show when={editing() !== undefined}>
        <CommandDialog command={editing() ?? undefined} variables={list()?.variables ?? []} pickers={pickers} onClose={() => setEditing(undefined)} />
      </Show>
      <ConfirmActionDialog
        action={remove}
        title="Delete this command?"
        message={(c) => (
          <>
            <strong>/{c.name}</strong> is removed from the server in Discord and its {c.usageCount} recorded uses are dropped. This cannot be undone.
          </>
        )}
        confirmLabel="Delete command"
      />
    </>
  );
}

export default function CommandsTab() {
  return (
    <div class="stack" data-testid="discord-commands">
      <GuildBoundary>
        <CommandsCard />
        <UsageCard />
      </GuildBoundary>
    </div>
  );
}
