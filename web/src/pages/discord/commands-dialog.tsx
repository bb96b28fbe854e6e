// Create or edit a custom slash command: its name and description under Discord's rules, up to 25 options, the
// response (template with variables, optional embed, ephemeral), who may use it and its cooldowns, with a preview.
import { createSignal, For, Index, Show, untrack } from "solid-js";
import { createStore, type SetStoreFunction } from "solid-js/store";
import { ApiError, getAuditPage } from "../../api/client.ts";
import {
  createCustomCommand,
  type CustomCommandEmbed,
  type CustomCommandInput,
  type CustomCommandOption,
  type CustomCommandView,
  getCustomCommands,
  getCustomCommandUsage,
  updateCustomCommand,
} from "../../api/discord-commands.ts";
import { createMutation } from "../../api/mutation.ts";
import { InlineError } from "../../ui/boundary.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { type FieldIssue, FieldIssues, issuesOf } from "./field-issues.tsx";
import { useGuild } from "./guild-context.tsx";
import { DiscordMessagePreview, insertAtCursor, TemplateVariables } from "./message-preview.tsx";
import { type GuildPickers, PickersNote, RolesField, roleLabel } from "./pickers.tsx";

/** Discord: at most 25 options per command (application command object). */
export const MAX_OPTIONS = 25;
const MAX_ALLOWED_ROLES = 25;
const MAX_COOLDOWN = 86_400;
const OPTION_TYPES: { id: CustomCommandOption["type"]; label: string; sample: string }[] = [
  { id: "string", label: "Text", sample: "hello" },
  { id: "integer", label: "Whole number", sample: "42" },
  { id: "user", label: "Member", sample: "@Ada" },
  { id: "channel", label: "Channel", sample: "#general" },
  { id: "role", label: "Role", sample: "@Support" },
];
const VARIABLE_HINTS: Record<string, string> = {
  user: "Mention of the member who used the command",
  "user.mention": "Mention of the member",
  "user.name": "Their display name",
  "user.username": "Their username",
  "user.id": "Their Discord ID",
  "user.avatar": "URL of their avatar",
  server: "The server's name",
  "server.name": "The server's name",
  "server.id": "The server's ID",
  channel: "Mention of the channel it was used in",
  args: "Every option's value, in order",
  count: "How often the command has been used",
};
const EMPTY_EMBED: CustomCommandEmbed = { title: null, description: null, color: 0x8b5cf6, imageUrl: null, thumbnailUrl: null, footer: null };

/** Discord's naming rule, checked as the user types (the API checks it again). */
export function nameProblem(name: string): string | null {
  if (!name) return null;
  if (name.length > 32) return "At most 32 characters.";
  if (/\s/.test(name)) return "No spaces: use - or _.";
  if (!/^[-_\p{L}\p{N}]+$/u.test(name)) return "Only letters, digits, - and _.";
  if (name !== name.toLowerCase()) return "Lowercase only.";
  return null;
}

const orNull = (s: string) => (s.trim() ? s : null);
const hex = (color: number | null) => `#${(color ?? 0x8b5cf6).toString(16).padStart(6, "0")}`;

function initialInput(c: CustomCommandView | undefined): CustomCommandInput {
  if (!c) {
    return {
      name: "",
      description: "",
      options: [],
      template: "",
      embed: null,
      ephemeral: false,
      allowedRoleIds: [],
      userCooldownSeconds: 0,
      globalCooldownSeconds: 0,
      enabled: true,
    };
  }
  return structuredClone({
    name: c.name,
    description: c.description,
    options: c.options,
    template: c.template,
    embed: c.embed,
    ephemeral: c.ephemeral,
    allowedRoleIds: c.allowedRoleIds,
    userCooldownSeconds: c.userCooldownSeconds,
    globalCooldownSeconds: c.globalCooldownSeconds,
    enabled: c.enabled,
  });
}

/** The refused write's problems under their fields: zod's issues, or a name conflict (409 names the field). */
function problemsOf(error: unknown): FieldIssue[] {
  if (error instanceof ApiError && error.status === 409 && (error.details as { field?: string } | null)?.field) {
    return [{ path: (error.details as { field: string }).field, message: error.message }];
  }
  return issuesOf(error);
}

function OptionsEditor(props: { options: CustomCommandOption[]; set: SetStoreFunction<CustomCommandInput>; issues: FieldIssue[] }) {
  const move = (i: number) => {
    const next = [...props.options];
    [next[i - 1], next[i]] = [next[i] as CustomCommandOption, next[i - 1] as CustomCommandOption];
    props.set("options", next);
  };
  return (
    <fieldset class="field" data-testid="command-options">
      <span class="field-label">
        Options ({props.options.length}/{MAX_OPTIONS})
      </span>
      <span class="field-hint">What the member fills in after the command name. Discord lists required options first.</span>
      <Index each={props.options}>
        {(o, i) => (
          <div class="stack" data-testid="command-option">
            <div class="option-row">
              <input
                class="input mono"
                aria-label={`Option ${i + 1} name`}
                placeholder="name"
                required
                maxLength={32}
                value={o().name}
                onInput={(e) => props.set("options", i, "name", e.currentTarget.value)}
                data-testid="command-option-name"
              />
              <select class="select" aria-label={`Option ${i + 1} type`} value={o().type} onChange={(e) => props.set("options", i, "type", e.currentTarget.value as CustomCommandOption["type"])}>
                <For each={OPTION_TYPES}>{(t) => <option value={t.id}>{t.label}</option>}</For>
              </select>
              <input
                class="input"
                aria-label={`Option ${i + 1} description`}
                placeholder="What to enter"
                required
                maxLength={100}
                value={o().description}
                onInput={(e) => props.set("options", i, "description", e.currentTarget.value)}
                data-testid="command-option-description"
              />
              <label class="check-line">
                <input type="checkbox" checked={o().required} onChange={(e) => props.set("options", i, "required", e.currentTarget.checked)} /> Required
              </label>
              <div class="header-actions">
                <button type="button" class="btn btn-sm" disabled={i === 0} aria-label={`Move option ${i + 1} up`} onClick={() => move(i)}>
                  ↑
                </button>
                <button
                  type="button"
                  class="btn btn-sm btn-ghost-danger"
                  aria-label={`Remove option ${i + 1}`}
                  onClick={() => props.set("options", props.options.filter((_, j) => j !== i))}
                >
                  Remove
                </button>
              </div>
            </div>
            <Show when={nameProblem(o().name)}>{(p) => <span class="inline-error">{p()}</span>}</Show>
            <FieldIssues issues={props.issues} path={`options.${i}`} />
          </div>
        )}
      </Index>
      <FieldIssues issues={props.issues.filter((x) => x.path === "options")} path="options" />
      <div>
        <button
          type="button"
          class="btn btn-sm"
          disabled={props.options.length >= MAX_OPTIONS}
          onClick={() => props.set("options", [...props.options, { name: "", description: "", type: "string", required: false }])}
          data-testid="command-add-option"
        >
          Add option
        </button>
      </div>
    </fieldset>
  );
}

export function CommandDialog(props: { command?: CustomCommandView; variables: string[]; pickers: GuildPickers; onClose: () => void }) {
  const scope = useGuild();
  const c = untrack(() => props.command);
  const [form, setForm] = createStore<CustomCommandInput>(initialInput(c));
  const [target, setTarget] = createSignal<{ el: HTMLTextAreaElement | HTMLInputElement; set: (v: string) => void }>();
  let templateEl!: HTMLTextAreaElement;

  const touched = () => [getCustomCommands.keyFor(scope.tenantId, scope.guildId), getCustomCommandUsage.keyFor(scope.tenantId, scope.guildId), getAuditPage.key];
  const save = createMutation(async () => {
    const input = JSON.parse(JSON.stringify(form)) as CustomCommandInput;
    return c ? updateCustomCommand(scope.tenantId, scope.guildId, c.id, input) : createCustomCommand(scope.tenantId, scope.guildId, input);
  }, touched);
  const issues = () => problemsOf(save.error());

  // The API lists `option.<name>` as a family; here it becomes one button per option already named.
  const variables = () => [
    ...props.variables.filter((v) => !v.includes("<")).map((name) => ({ name, what: VARIABLE_HINTS[name] ?? name })),
    ...form.options.filter((o) => o.name && !nameProblem(o.name)).map((o) => ({ name: `option.${o.name}`, what: `The value given for ${o.name}` })),
  ];
  const insert = (token: string) => {
    const t = target() ?? { el: templateEl, set: (v: string) => setForm("template", v) };
    insertAtCursor(t.el, token, t.set);
  };

  const sample = (): Record<string, string> => {
    const values: Record<string, string> = {
      user: "<@100000000000000001>",
      "user.mention": "<@100000000000000001>",
      "user.name": "Ada",
      "user.username": "ada",
      "user.id": "100000000000000001",
      server: scope.guild().name,
      "server.name": scope.guild().name,
      "server.id": scope.guildId,
      channel: "#general",
      count: "7",
    };
    for (const o of form.options) values[`option.${o.name}`] = OPTION_TYPES.find((t) => t.id === o.type)?.sample ?? "…";
    values.args = form.options.map((o) => values[`option.${o.name}`]).join(" ");
    return values;
  };
  const render = (text: string | null) => (text ?? "").replace(/\{([\w.-]+)\}/g, (whole, name: string) => sample()[name] ?? whole);

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    if (await save.run()) props.onClose();
  }

  return (
    <Dialog open title={c ? `Edit /${c.name}` : "New custom command"} onClose={() => props.onClose()} testId="command-dialog">
      <form class="stack dialog-xwide" onSubmit={submit} data-testid="command-form">
        <div class="form-row">
          <label class="field">
            <span>Name</span>
            <input
              class="input mono"
              name="command-name"
              required
              maxLength={32}
              placeholder="e.g. rules"
              value={form.name}
              onInput={(e) => setForm("name", e.currentTarget.value)}
              data-testid="command-name"
            />
          </label>
          <label class="field grow">
            <span>Description</span>
            <input
              class="input"
              name="command-description"
              required
              maxLength={100}
              placeholder="Shown under the command in Discord"
              value={form.description}
              onInput={(e) => setForm("description", e.currentTarget.value)}
              data-testid="command-description"
            />
          </label>
        </div>
        <span class="field-hint">
          Discord's rules for names: 1–32 characters, lowercase, letters, digits, - and _ only (no spaces). Built-in Nebula commands' names are taken.
        </span>
        <Show when={nameProblem(form.name)}>{(p) => <span class="inline-error" data-testid="command-name-problem">{p()}</span>}</Show>
        <FieldIssues issues={issues()} path="name" testId="command-name-issue" />
        <FieldIssues issues={issues()} path="description" />

        <OptionsEditor options={form.options} set={setForm} issues={issues()} />

        <label class="field">
          <span>Response</span>
          <textarea
            ref={templateEl}
            class="input"
            name="command-template"
            maxLength={2000}
            placeholder="What the bot answers, e.g. Read the rules in #rules, {user}!"
            value={form.template}
            onFocus={(e) => setTarget({ el: e.currentTarget, set: (v) => setForm("template", v) })}
            onInput={(e) => setForm("template", e.currentTarget.value)}
            data-testid="command-template"
          />
        </label>
        <TemplateVariables variables={variables()} onInsert={insert} />
        <FieldIssues issues={issues()} path="template" />
        <div class="chips">
          <label>
            <input type="checkbox" checked={form.embed !== null} onChange={(e) => setForm("embed", e.currentTarget.checked ? { ...EMPTY_EMBED } : null)} data-testid="command-embed" />{" "}
            Add an embed
          </label>
          <label>
            <input type="checkbox" checked={form.ephemeral} onChange={(e) => setForm("ephemeral", e.currentTarget.checked)} /> Only the member who used it sees the answer
          </label>
          <label>
            <input type="checkbox" checked={form.enabled} onChange={(e) => setForm("enabled", e.currentTarget.checked)} /> Enabled
          </label>
        </div>
        <Show when={form.embed}>
          {(embed) => (
            <div class="stack welcome-embed">
              <div class="form-row">
                <label class="field grow">
                  <span>Embed title</span>
                  <input class="input" maxLength={256} value={embed().title ?? ""} onInput={(e) => setForm("embed", "title", orNull(e.currentTarget.value))} />
                </label>
                <label class="field color-field">
                  <span>Color</span>
                  <input type="color" class="input" value={hex(embed().color)} onInput={(e) => setForm("embed", "color", Number.parseInt(e.currentTarget.value.slice(1), 16))} />
                </label>
              </div>
              <label class="field">
                <span>Embed description</span>
                <textarea
                  class="input"
                  maxLength={4096}
                  value={embed().description ?? ""}
                  onFocus={(e) => setTarget({ el: e.currentTarget, set: (v) => setForm("embed", "description", orNull(v)) })}
                  onInput={(e) => setForm("embed", "description", orNull(e.currentTarget.value))}
                />
              </label>
              <div class="form-row">
                <label class="field">
                  <span>Image URL</span>
                  <input class="input mono" maxLength={2048} placeholder="https://…" value={embed().imageUrl ?? ""} onInput={(e) => setForm("embed", "imageUrl", orNull(e.currentTarget.value.trim()))} />
                </label>
                <label class="field">
                  <span>Thumbnail URL</span>
                  <input
                    class="input mono"
                    maxLength={2048}
                    placeholder="https://… or {user.avatar}"
                    value={embed().thumbnailUrl ?? ""}
                    onInput={(e) => setForm("embed", "thumbnailUrl", orNull(e.currentTarget.value.trim()))}
                  />
                </label>
              </div>
              <label class="field">
                <span>Footer</span>
                <input class="input" maxLength={2048} value={embed().footer ?? ""} onInput={(e) => setForm("embed", "footer", orNull(e.currentTarget.value))} />
              </label>
              <FieldIssues issues={issues()} path="embed" />
            </div>
          )}
        </Show>

        <RolesField
          pickers={props.pickers}
          label="Who may use it"
          max={MAX_ALLOWED_ROLES}
          value={form.allowedRoleIds}
          onChange={(ids) => setForm("allowedRoleIds", ids)}
          hint="No role chosen: everyone in the server. Otherwise members need one of these roles."
          testId="command-roles"
        />
        <div class="form-row">
          <label class="field">
            <span>Cooldown per member (seconds)</span>
            <input
              class="input"
              type="number"
              min={0}
              max={MAX_COOLDOWN}
              value={form.userCooldownSeconds}
              onInput={(e) => setForm("userCooldownSeconds", Math.max(0, Math.trunc(e.currentTarget.valueAsNumber || 0)))}
              data-testid="command-user-cooldown"
            />
          </label>
          <label class="field">
            <span>Cooldown for everyone (seconds)</span>
            <input
              class="input"
              type="number"
              min={0}
              max={MAX_COOLDOWN}
              value={form.globalCooldownSeconds}
              onInput={(e) => setForm("globalCooldownSeconds", Math.max(0, Math.trunc(e.currentTarget.valueAsNumber || 0)))}
            />
          </label>
        </div>
        <span class="field-hint">0: no cooldown. At most a day (86,400 s).</span>
        <PickersNote pickers={props.pickers} />

        <div class="field">
          <span class="field-label">Preview</span>
          <DiscordMessagePreview
            testId="command-preview"
            content={render(form.template)}
            names={(kind, id) => (kind === "role" ? roleLabel(props.pickers, id).replace(/^@/, "") : "Ada")}
            embed={form.embed ? { title: render(form.embed.title) || undefined, description: render(form.embed.description) || undefined, color: hex(form.embed.color), footer: render(form.embed.footer) || undefined } : null}
          />
          <span class="field-hint">
            With sample values: Ada used /{form.name || "command"}.{form.ephemeral ? " Only Ada sees this answer." : ""}
          </span>
        </div>

        <Show when={save.error() && issues().length === 0}>
          <InlineError error={save.error()} />
        </Show>
        <Show when={issues().length > 0}>
          <p class="inline-error" role="alert">
            Not saved: fix the fields marked above.
          </p>
        </Show>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={() => props.onClose()} disabled={save.pending()}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={save.pending() || Boolean(nameProblem(form.name))} data-testid="command-save">
            {save.pending() ? "Saving…" : c ? "Save" : "Create command"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
