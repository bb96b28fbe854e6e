// Channel and role pickers for guild forms. They list the server's channels and roles when the caller may read them
// (Manage Server there); otherwise they fall back to typing the id, with the reason shown once under the form.
import type { DiscordGuildOverview } from "@nebula/schema/api/discord";
import { createAsync } from "@solidjs/router";
import { For, Show } from "solid-js";
import { getGuildOverview } from "../../api/discord.ts";
import { useGuild } from "./guild-context.tsx";

export type GuildPickers = { overview: () => DiscordGuildOverview | undefined; error: () => unknown; loaded: () => boolean };

/** Never throws into a boundary: a form still works (with ids typed in) for someone Discord refuses. */
export function useGuildPickers(): GuildPickers {
  const scope = useGuild();
  return guildPickersFor(
    () => scope.tenantId,
    () => scope.guildId,
  );
}

/** The same for a server chosen in the form itself (alert rules): nothing is read until one is chosen. */
export function guildPickersFor(tenantId: () => string, guildId: () => string): GuildPickers {
  const read = createAsync(() => {
    const id = guildId();
    if (!id) return Promise.resolve({ overview: undefined, error: undefined as unknown });
    return getGuildOverview(tenantId(), id).then(
      (overview) => ({ overview, error: undefined as unknown }),
      (error: unknown) => ({ overview: undefined, error }),
    );
  });
  return { overview: () => read()?.overview, error: () => read()?.error, loaded: () => read() !== undefined };
}

const TEXT_CHANNELS = new Set([0, 5]);

/** The channel's name for tables: `#name` when known, else the id. */
export function channelLabel(pickers: GuildPickers, id: string): string {
  const ch = pickers.overview()?.channels.find((c) => c.id === id);
  return ch ? `#${ch.name}` : id;
}
export function roleLabel(pickers: GuildPickers, id: string): string {
  const role = pickers.overview()?.roles.find((r) => r.id === id);
  return role ? `@${role.name}` : id;
}

/** `required` (default true): false where the channel is needed only once its feature is turned on. */
export function ChannelField(props: { pickers: GuildPickers; value: string; onChange: (id: string) => void; label?: string; name: string; testId?: string; required?: boolean }) {
  const channels = () => (props.pickers.overview()?.channels ?? []).filter((c) => TEXT_CHANNELS.has(c.type)).sort((a, b) => a.position - b.position);
  return (
    <label class="field">
      <span>{props.label ?? "Channel"}</span>
      <Show
        when={props.pickers.overview()}
        fallback={
          <input
            class="input mono"
            name={props.name}
            required={props.required ?? true}
            inputMode="numeric"
            pattern="\d{5,25}"
            placeholder="Channel ID"
            value={props.value}
            onInput={(e) => props.onChange(e.currentTarget.value.trim())}
            data-testid={props.testId}
          />
        }
      >
        <select class="select" name={props.name} required={props.required ?? true} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)} data-testid={props.testId}>
          <option value="">Choose a channel…</option>
          <For each={channels()}>{(c) => <option value={c.id}>#{c.name}</option>}</For>
        </select>
      </Show>
    </label>
  );
}

export function RoleField(props: { pickers: GuildPickers; value: string; onChange: (id: string) => void; label: string; name: string; none: string; testId?: string }) {
  const roles = () => (props.pickers.overview()?.roles ?? []).filter((r) => !r.managed).sort((a, b) => b.position - a.position);
  return (
    <label class="field">
      <span>{props.label}</span>
      <Show
        when={props.pickers.overview()}
        fallback={
          <input
            class="input mono"
            name={props.name}
            inputMode="numeric"
            pattern="\d{5,25}"
            placeholder={`Role ID (empty: ${props.none.toLowerCase()})`}
            value={props.value}
            onInput={(e) => props.onChange(e.currentTarget.value.trim())}
            data-testid={props.testId}
          />
        }
      >
        <select class="select" name={props.name} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)} data-testid={props.testId}>
          <option value="">{props.none}</option>
          <For each={roles()}>{(r) => <option value={r.id}>@{r.name}</option>}</For>
        </select>
      </Show>
    </label>
  );
}

/** Several roles (auto-roles, staff roles, allowed roles): checkboxes of the server's roles, or ids typed in. */
export function RolesField(props: { pickers: GuildPickers; value: string[]; onChange: (ids: string[]) => void; label: string; max: number; hint?: string; testId?: string }) {
  const scope = useGuild();
  // @everyone (id = guild id) is every member already; managed roles (bots, boosts) cannot be given or required.
  const roles = () => (props.pickers.overview()?.roles ?? []).filter((r) => !r.managed && r.id !== scope.guildId).sort((a, b) => b.position - a.position);
  const toggle = (id: string, on: boolean) => props.onChange(on ? [...props.value, id] : props.value.filter((v) => v !== id));
  return (
    <fieldset class="field" data-testid={props.testId}>
      <span class="field-label">{props.label}</span>
      <Show
        when={props.pickers.overview()}
        fallback={
          <input
            class="input mono"
            aria-label={props.label}
            pattern="(\d{5,25}[\s,]*)*"
            placeholder="Role IDs, separated by commas"
            value={props.value.join(", ")}
            onChange={(e) => props.onChange(e.currentTarget.value.split(/[\s,]+/).filter(Boolean))}
          />
        }
      >
        <Show when={roles().length > 0} fallback={<span class="faint">This server has no roles to choose.</span>}>
          <div class="chips">
            <For each={roles()}>
              {(r) => (
                <label>
                  <input
                    type="checkbox"
                    checked={props.value.includes(r.id)}
                    disabled={!props.value.includes(r.id) && props.value.length >= props.max}
                    onChange={(e) => toggle(r.id, e.currentTarget.checked)}
                  />
                  @{r.name}
                </label>
              )}
            </For>
          </div>
        </Show>
      </Show>
      <Show when={props.hint}>
        <span class="field-hint">{props.hint}</span>
      </Show>
    </fieldset>
  );
}

/** Why the pickers fell back to ids, under a form. */
export function PickersNote(props: { pickers: GuildPickers }) {
  return (
    <Show when={props.pickers.error()}>
      {(err) => (
        <span class="field-hint" data-testid="pickers-note">
          Channels and roles can't be listed ({err() instanceof Error ? (err() as Error).message : "Discord refused"}); enter their IDs (Discord:
          Settings › Advanced › Developer Mode, then right-click › Copy ID).
        </span>
      )}
    </Show>
  );
}
