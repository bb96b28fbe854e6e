// Welcome: the greeting new members get (channel, template with variables, embed and image), an optional DM,
// auto-roles, the leave message, with a live preview rendered by the API as Discord would show it, "Send test", the
// last auto-role result and the recent joins and leaves.
import { createAsync } from "@solidjs/router";
import { createEffect, createSignal, For, type JSX, onCleanup, Show, untrack } from "solid-js";
import { createStore, reconcile, type SetStoreFunction } from "solid-js/store";
import { getAuditPage } from "../../api/client.ts";
import {
  getWelcomeSettings,
  previewWelcome,
  type RenderedMessage,
  saveWelcomeSettings,
  sendWelcomeTest,
  type WelcomeEmbed,
  type WelcomePreview,
  type WelcomeSettingsInput,
  type WelcomeSettingsView,
} from "../../api/discord-welcome.ts";
import { createMutation } from "../../api/mutation.ts";
import { useSession } from "../../session/session.tsx";
import { Badge, type BadgeTone } from "../../ui/badge.tsx";
import { InlineError } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { UsersIcon } from "../../ui/icons.tsx";
import { ListTable } from "../../ui/table.tsx";
import { TimeAgo } from "../../ui/time.tsx";
import { CardError, CardSuccess } from "./card-notices.tsx";
import { type FieldIssue, FieldIssues, issuesOf } from "./field-issues.tsx";
import { GuildBoundary } from "./guild-access.tsx";
import { useGuild } from "./guild-context.tsx";
import { DiscordMessagePreview, insertAtCursor, type PreviewEmbed, TemplateVariables } from "./message-preview.tsx";
import { ChannelField, type GuildPickers, PickersNote, RolesField, roleLabel, useGuildPickers } from "./pickers.tsx";

/** What each placeholder becomes (workers/src/welcome/welcome-message.ts renders them). */
const VARIABLE_HINTS: Record<string, string> = {
  user: "Mention of the member (pings them in the greeting)",
  "user.mention": "Mention of the member",
  "user.name": "The member's display name",
  "user.username": "The member's username",
  "user.id": "The member's Discord ID",
  "user.avatar": "URL of the member's avatar (for the image)",
  server: "The server's name",
  "server.name": "The server's name",
  "server.id": "The server's ID",
  memberCount: "How many members the server has now",
};
const DEFAULT_EMBED: WelcomeEmbed = { title: "Welcome to {server}!", description: "You are member #{memberCount}.", color: 0x8b5cf6, imageUrl: null, thumbnailAvatar: true, footer: null };
/** Discord: the bot gives at most these many roles on join (the API's limit). */
const MAX_AUTO_ROLES = 10;
const PREVIEW_DELAY_MS = 350;

const hex = (color: number | null) => `#${(color ?? 0x8b5cf6).toString(16).padStart(6, "0")}`;
const orNull = (s: string) => (s.trim() ? s : null);

/** A message the API rendered, drawn by the preview component (its first embed; Discord's `image.url` and friends). */
function previewParts(message: RenderedMessage): { content: string; embed: PreviewEmbed | null } {
  const raw = message.embeds?.[0] as
    | { title?: string; description?: string; color?: number; image?: { url?: string }; footer?: { text?: string }; fields?: { name: string; value: string }[] }
    | undefined;
  const embed = raw
    ? { title: raw.title, description: raw.description, color: raw.color === undefined ? undefined : hex(raw.color), imageUrl: raw.image?.url ?? null, footer: raw.footer?.text, fields: raw.fields }
    : null;
  return { content: message.content ?? "", embed };
}

/** The editor's draft as the API takes it: an emptied channel is "none", not an invalid id. */
function inputOf(draft: WelcomeSettingsInput): WelcomeSettingsInput {
  const copy = JSON.parse(JSON.stringify(draft)) as WelcomeSettingsInput;
  return { ...copy, channelId: copy.channelId || null, leaveChannelId: copy.leaveChannelId || null, dmTemplate: copy.dmTemplate ?? null };
}

type TemplateTarget = { label: string; el: HTMLTextAreaElement | HTMLInputElement; set: (value: string) => void };

function Section(props: { title: string; children: JSX.Element; testId?: string }) {
  return (
    <fieldset class="welcome-section stack" data-testid={props.testId}>
      <legend>{props.title}</legend>
      {props.children}
    </fieldset>
  );
}

function PreviewPane(props: { preview: WelcomePreview | undefined; draft: WelcomeSettingsInput; pending: boolean; error: unknown; pickers: GuildPickers }) {
  const memberName = () => props.preview?.member.globalName ?? props.preview?.member.username ?? "new member";
  const names = (kind: "role" | "user", id: string) => (kind === "role" ? roleLabel(props.pickers, id).replace(/^@/, "") : id === props.preview?.member.id ? memberName() : "member");
  const one = (label: string, testId: string, message: RenderedMessage | null | undefined, on: boolean) => (
    <Show when={on}>
      <div class="field">
        <span class="field-label">{label}</span>
        <Show when={message} fallback={<span class="faint">Nothing to send: write a message{label === "Welcome message" ? " or add an embed" : ""}.</span>}>
          {(m) => <DiscordMessagePreview testId={testId} content={previewParts(m()).content} embed={previewParts(m()).embed} names={names} />}
        </Show>
      </div>
    </Show>
  );
  return (
    <aside class="welcome-preview stack" aria-live="polite" data-testid="welcome-preview-pane" data-pending={props.pending ? "true" : "false"}>
      <div class="chart-head">
        <h3>Live preview</h3>
        <span class="muted">{props.pending ? "Updating…" : props.preview ? `As ${memberName()} would see it` : ""}</span>
      </div>
      <Show when={props.error}>{(err) => <InlineError error={err()} />}</Show>
      <Show when={props.preview}>
        {one("Welcome message", "welcome-preview", props.preview?.welcome, true)}
        {one("Direct message", "welcome-dm-preview", props.preview?.dm, props.draft.dmEnabled)}
        {one("Leave message", "welcome-leave-preview", props.preview?.leave, props.draft.leaveEnabled)}
        <Show when={!props.draft.enabled}>
          <span class="field-hint">Welcome messages are off: nothing is posted until you turn them on and save.</span>
        </Show>
      </Show>
    </aside>
  );
}

function WelcomeForm(props: { view: WelcomeSettingsView; pickers: GuildPickers }) {
  const scope = useGuild();
  const session = useSession();
  const manage = () => session.can("discord.manage");
  const [draft, setDraft] = createStore<WelcomeSettingsInput>(structuredClone(untrack(() => props.view.settings)));
  const [dirty, setDirty] = createSignal(false);
  const [saved, setSaved] = createSignal(false);
  const [preview, setPreview] = createSignal<WelcomePreview>();
  const [previewPending, setPreviewPending] = createSignal(false);
  const [previewError, setPreviewError] = createSignal<unknown>();
  const [previewIssues, setPreviewIssues] = createSignal<FieldIssue[]>([]);
  const [target, setTarget] = createSignal<TemplateTarget>();
  let templateEl!: HTMLTextAreaElement;

  // Every change marks the form dirty (the store setter's overloads are kept by the cast).
  const edit = ((...args: unknown[]) => {
    setDirty(true);
    setSaved(false);
    (setDraft as (...a: unknown[]) => void)(...args);
  }) as SetStoreFunction<WelcomeSettingsInput>;

  const save = createMutation(async () => saveWelcomeSettings(scope.tenantId, scope.guildId, inputOf(draft)), () => [getWelcomeSettings.keyFor(scope.tenantId, scope.guildId), getAuditPage.key]);
  const test = createMutation(() => sendWelcomeTest(scope.tenantId, scope.guildId), () => [getAuditPage.key]);

  // The preview follows the draft, debounced; an answer to an older draft is dropped.
  let asked = 0;
  createEffect(() => {
    const body = inputOf(draft);
    const n = ++asked;
    setPreviewPending(true);
    const timer = setTimeout(async () => {
      try {
        const answer = await previewWelcome(scope.tenantId, scope.guildId, body);
        if (n !== asked) return;
        setPreview(answer);
        setPreviewError(undefined);
        setPreviewIssues([
          ...answer.errors.map((i) => ({ path: i.field, message: i.message })),
          ...answer.warnings.map((i) => ({ path: i.field, message: i.message, warning: true })),
        ]);
      } catch (err) {
        if (n !== asked) return;
        const issues = issuesOf(err);
        setPreviewIssues(issues);
        setPreviewError(issues.length ? undefined : err);
      } finally {
        if (n === asked) setPreviewPending(false);
      }
    }, PREVIEW_DELAY_MS);
    onCleanup(() => clearTimeout(timer));
  });

  const issues = () => [...issuesOf(save.error()), ...previewIssues()];
  const onTemplate = (label: string, set: (value: string) => void) => (e: FocusEvent) => setTarget({ label, el: e.currentTarget as HTMLTextAreaElement, set });
  const insert = (token: string) => {
    const t = target() ?? { label: "Welcome message", el: templateEl, set: (v: string) => edit("template", v) };
    insertAtCursor(t.el, token, t.set);
  };
  const variables = () => props.view.variables.map((name) => ({ name, what: VARIABLE_HINTS[name] ?? name }));

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    const done = await save.run();
    if (!done) return;
    setDraft(reconcile(structuredClone(done.value.settings)));
    setDirty(false);
    setSaved(true);
  }

  return (
    <Card
      title="Welcome and leave messages"
      testId="welcome-card"
      description="What the bot posts when someone joins or leaves. The preview shows your unsaved changes, with you as the new member."
      actions={
        <div class="header-actions">
          <Badge tone={props.view.settings.enabled ? "success" : "neutral"} testId="welcome-state">
            {props.view.settings.enabled ? "on" : "off"}
          </Badge>
          <Show when={manage()}>
            <button
              type="button"
              class="btn btn-sm"
              disabled={test.pending() || !props.view.settings.channelId}
              title={props.view.settings.channelId ? "Posts the saved greeting, with you as the new member, in the welcome channel" : "Choose the welcome channel and save first"}
              onClick={() => void test.run()}
              data-testid="welcome-test"
            >
              {test.pending() ? "Sending…" : "Send test"}
            </button>
          </Show>
        </div>
      }
    >
      <Show when={test.result()}>
        {(r) => (
          <CardSuccess testId="welcome-test-sent">
            Test greeting queued for {props.pickers.overview() ? `#${props.pickers.overview()?.channels.find((c) => c.id === r().channelId)?.name ?? r().channelId}` : r().channelId}; it
            appears in a moment. {dirty() ? "It uses the saved settings, not your unsaved changes." : ""}
          </CardSuccess>
        )}
      </Show>
      <CardError error={test.error()} />
      <div class="card-body welcome-editor">
        <form class="stack" onSubmit={submit} data-testid="welcome-form">
          <fieldset class="stack plain-fieldset" disabled={!manage()}>
            <Section title="Greeting" testId="welcome-greeting">
              <label class="check-line">
                <input type="checkbox" checked={draft.enabled} onChange={(e) => edit("enabled", e.currentTarget.checked)} data-testid="welcome-enabled" /> Post a welcome
                message when someone joins
              </label>
              <ChannelField
                pickers={props.pickers}
                name="welcome-channel"
                label="Post in"
                required={draft.enabled}
                value={draft.channelId ?? ""}
                onChange={(id) => edit("channelId", id || null)}
                testId="welcome-channel"
              />
              <FieldIssues issues={issues()} path="channelId" />
              <label class="field">
                <span>Message</span>
                <textarea
                  ref={templateEl}
                  class="input"
                  name="welcome-template"
                  maxLength={2000}
                  value={draft.template}
                  onFocus={onTemplate("Welcome message", (v) => edit("template", v))}
                  onInput={(e) => edit("template", e.currentTarget.value)}
                  data-testid="welcome-template"
                />
              </label>
              <FieldIssues issues={issues()} path="template" testId="welcome-template-issue" />
              <Show when={manage()}>
                <div class="field">
                  <span class="field-hint">Insert into {target()?.label ?? "Welcome message"}:</span>
                  <TemplateVariables variables={variables()} onInsert={insert} />
                </div>
              </Show>
              <label class="check-line">
                <input
                  type="checkbox"
                  checked={draft.embed !== null}
                  onChange={(e) => edit("embed", e.currentTarget.checked ? { ...DEFAULT_EMBED } : null)}
                  data-testid="welcome-embed"
                />{" "}
                Add an embed
              </label>
              <Show when={draft.embed}>
                {(embed) => (
                  <div class="stack welcome-embed">
                    <div class="form-row">
                      <label class="field grow">
                        <span>Title</span>
                        <input
                          class="input"
                          maxLength={256}
                          value={embed().title ?? ""}
                          onFocus={onTemplate("Embed title", (v) => edit("embed", "title", orNull(v)))}
                          onInput={(e) => edit("embed", "title", orNull(e.currentTarget.value))}
                          data-testid="welcome-embed-title"
                        />
                      </label>
                      <label class="field color-field">
                        <span>Color</span>
                        <input type="color" class="input" value={hex(embed().color)} onInput={(e) => edit("embed", "color", Number.parseInt(e.currentTarget.value.slice(1), 16))} />
                      </label>
                    </div>
                    <FieldIssues issues={issues()} path="embed.title" />
                    <label class="field">
                      <span>Description</span>
                      <textarea
                        class="input"
                        maxLength={4096}
                        value={embed().description ?? ""}
                        onFocus={onTemplate("Embed description", (v) => edit("embed", "description", orNull(v)))}
                        onInput={(e) => edit("embed", "description", orNull(e.currentTarget.value))}
                      />
                    </label>
                    <FieldIssues issues={issues()} path="embed.description" />
                    <label class="field">
                      <span>Image URL</span>
                      <input
                        class="input mono"
                        maxLength={2048}
                        placeholder="https://… or {user.avatar}"
                        value={embed().imageUrl ?? ""}
                        onFocus={onTemplate("Image URL", (v) => edit("embed", "imageUrl", orNull(v)))}
                        onInput={(e) => edit("embed", "imageUrl", orNull(e.currentTarget.value.trim()))}
                        data-testid="welcome-embed-image"
                      />
                    </label>
                    <FieldIssues issues={issues()} path="embed.imageUrl" />
                    <label class="field">
                      <span>Footer</span>
                      <input
                        class="input"
                        maxLength={2048}
                        value={embed().footer ?? ""}
                        onFocus={onTemplate("Embed footer", (v) => edit("embed", "footer", orNull(v)))}
                        onInput={(e) => edit("embed", "footer", orNull(e.currentTarget.value))}
                      />
                    </label>
                    <FieldIssues issues={issues()} path="embed.footer" />
                    <label class="check-line">
                      <input type="checkbox" checked={embed().thumbnailAvatar} onChange={(e) => edit("embed", "thumbnailAvatar", e.currentTarget.checked)} /> The member's
                      avatar as the thumbnail
                    </label>
                  </div>
                )}
              </Show>
              <FieldIssues issues={issues()} path="embed" />
            </Section>

            <Section title="Direct message" testId="welcome-dm">
              <label class="check-line">
                <input type="checkbox" checked={draft.dmEnabled} onChange={(e) => edit("dmEnabled", e.currentTarget.checked)} data-testid="welcome-dm-enabled" /> Also send the
                new member a DM
              </label>
              <Show when={draft.dmEnabled}>
                <label class="field">
                  <span>DM text</span>
                  <textarea
                    class="input"
                    maxLength={2000}
                    value={draft.dmTemplate ?? ""}
                    onFocus={onTemplate("DM text", (v) => edit("dmTemplate", v))}
                    onInput={(e) => edit("dmTemplate", e.currentTarget.value)}
                    data-testid="welcome-dm-template"
                  />
                </label>
                <span class="field-hint">Members who closed their DMs get none; that shows as "blocked" under Recent joins.</span>
              </Show>
              <FieldIssues issues={issues()} path="dmTemplate" />
            </Section>

            <Section title="Roles on join" testId="welcome-roles">
              <RolesField
                pickers={props.pickers}
                label="Auto-roles"
                max={MAX_AUTO_ROLES}
                value={draft.autoRoleIds}
                onChange={(ids) => edit("autoRoleIds", ids)}
                hint={`Up to ${MAX_AUTO_ROLES}. Discord lets the bot give only roles below its own highest role.`}
                testId="welcome-auto-roles"
              />
              <FieldIssues issues={issues()} path="autoRoleIds" />
              <label class="check-line">
                <input type="checkbox" checked={draft.includeBots} onChange={(e) => edit("includeBots", e.currentTarget.checked)} /> Greet bots and give them roles too
              </label>
            </Section>

            <Section title="Leave message" testId="welcome-leave">
              <label class="check-line">
                <input type="checkbox" checked={draft.leaveEnabled} onChange={(e) => edit("leaveEnabled", e.currentTarget.checked)} data-testid="welcome-leave-enabled" /> Post a
                message when someone leaves
              </label>
              <Show when={draft.leaveEnabled}>
                <ChannelField
                  pickers={props.pickers}
                  name="leave-channel"
                  label="Post in"
                  value={draft.leaveChannelId ?? ""}
                  onChange={(id) => edit("leaveChannelId", id || null)}
                  testId="welcome-leave-channel"
                />
                <label class="field">
                  <span>Leave message</span>
                  <textarea
                    class="input"
                    maxLength={2000}
                    value={draft.leaveTemplate}
                    onFocus={onTemplate("Leave message", (v) => edit("leaveTemplate", v))}
                    onInput={(e) => edit("leaveTemplate", e.currentTarget.value)}
                    data-testid="welcome-leave-template"
                  />
                </label>
              </Show>
              <FieldIssues issues={issues()} path="leaveChannelId" />
              <FieldIssues issues={issues()} path="leaveTemplate" />
            </Section>
          </fieldset>
          <PickersNote pickers={props.pickers} />
          <Show when={save.error() && issuesOf(save.error()).length === 0}>
            <InlineError error={save.error()} />
          </Show>
          <Show when={save.error() && issuesOf(save.error()).length > 0}>
            <p class="inline-error" role="alert" data-testid="welcome-save-error">
              Not saved: fix the fields marked above.
            </p>
          </Show>
          <Show
            when={manage()}
            fallback={<span class="field-hint">Viewers see these settings; an admin with Manage Server in Discord changes them.</span>}
          >
            <div class="form-actions">
              <Show when={saved()}>
                <span class="muted" role="status" data-testid="welcome-saved">
                  Saved.
                </span>
              </Show>
              <Show when={dirty()}>
                <span class="faint">Unsaved changes</span>
              </Show>
              <button type="submit" class="btn btn-primary" disabled={save.pending() || !dirty()} data-testid="welcome-save">
                {save.pending() ? "Saving…" : "Save"}
              </button>
            </div>
          </Show>
        </form>
        <PreviewPane preview={preview()} draft={draft} pending={previewPending()} error={previewError()} pickers={props.pickers} />
      </div>
    </Card>
  );
}

const ROLE_TONE: Record<string, BadgeTone> = { given: "success", partial: "warning", forbidden: "danger", failed: "danger", skipped: "neutral", pending: "neutral" };
const DM_TONE: Record<string, BadgeTone> = { sent: "success", blocked: "warning", failed: "danger", skipped: "neutral" };

function AutoRolesCard(props: { view: WelcomeSettingsView; pickers: GuildPickers }) {
  // Discord: 403 / 50013 Missing Permissions when the role is above the bot's highest role (or the bot lacks Manage Roles).
  const refused = () => props.view.autoRoles?.results.filter((r) => !r.ok && (r.status === 403 || r.code === 50013)) ?? [];
  return (
    <Card title="Last auto-role result" testId="welcome-auto-role-result" description="What Discord answered the last time the bot gave roles to a new member.">
      <Show
        when={props.view.autoRoles}
        fallback={
          <EmptyState title="No roles given yet" testId="welcome-auto-roles-empty">
            {props.view.settings.autoRoleIds.length ? "The result shows here after the next member joins." : "Choose auto-roles above; the result of each join shows here."}
          </EmptyState>
        }
      >
        {(last) => (
          <div class="card-body stack">
            <span class="muted">
              <TimeAgo iso={last().at} />, for member <code>{last().userId}</code>
            </span>
            <Show when={refused().length > 0}>
              <div class="notice notice-warning" data-testid="welcome-move-role-hint">
                Discord refused {refused().map((r) => roleLabel(props.pickers, r.roleId)).join(", ")}: a bot can only give roles below its own. In Discord, open Server
                Settings › Roles and drag the bot's role above {refused().length === 1 ? "that role" : "those roles"}, and check that it has Manage Roles.
              </div>
            </Show>
            <ul class="result-list">
              <For each={last().results}>
                {(r) => (
                  <li>
                    <span class="mono grow">{roleLabel(props.pickers, r.roleId)}</span>
                    <Badge tone={r.ok ? "success" : "danger"}>{r.ok ? "given" : `refused${r.status ? ` (${r.status})` : ""}`}</Badge>
                    <Show when={r.message}>
                      <span class="faint">{r.message}</span>
                    </Show>
                  </li>
                )}
              </For>
            </ul>
          </div>
        )}
      </Show>
    </Card>
  );
}

function RecentEventsCard(props: { view: WelcomeSettingsView }) {
  return (
    <Card title="Recent joins and leaves" testId="welcome-events" description="What the bot did for each member who joined or left.">
      <ListTable
        items={props.view.recent}
        empty={
          <EmptyState icon={<UsersIcon size={20} />} title="Nobody joined or left yet" testId="welcome-events-empty">
            Joins and leaves arrive from Discord's Gateway; each shows here with whether the greeting, DM and roles went out.
          </EmptyState>
        }
        columns={["When", "Member", "Event", "Message", "DM", "Roles"]}
        testId="welcome-events-table"
      >
        {(e) => (
          <tr data-testid="welcome-event-row">
            <td class="nowrap">
              <TimeAgo iso={e.at} />
            </td>
            <td>
              {e.userName}
              <div class="faint mono">{e.userId}</div>
            </td>
            <td>
              <Badge tone={e.kind === "joined" ? "success" : "neutral"}>{e.kind}</Badge>
            </td>
            <td>{e.messageStatus ?? <span class="faint">—</span>}</td>
            <td>
              <Show when={e.dmStatus} fallback={<span class="faint">—</span>}>
                {(s) => (
                  <span title={e.dmError ?? undefined}>
                    <Badge tone={DM_TONE[s()]}>{s()}</Badge>
                  </span>
                )}
              </Show>
            </td>
            <td>
              <Show when={e.roleStatus} fallback={<span class="faint">—</span>}>
                {(s) => (
                  <span title={e.roleError ?? undefined}>
                    <Badge tone={ROLE_TONE[s()]}>{s()}</Badge>
                  </span>
                )}
              </Show>
            </td>
          </tr>
        )}
      </ListTable>
    </Card>
  );
}

function WelcomeSettings() {
  const scope = useGuild();
  const view = createAsync(() => getWelcomeSettings(scope.tenantId, scope.guildId));
  const pickers = useGuildPickers();
  return (
    <Show when={view()}>
      {(v) => (
        <>
          <WelcomeForm view={v()} pickers={pickers} />
          <div class="grid-2">
            <AutoRolesCard view={v()} pickers={pickers} />
            <RecentEventsCard view={v()} />
          </div>
        </>
      )}
    </Show>
  );
}

export default function WelcomeTab() {
  return (
    <div class="stack" data-testid="discord-welcome">
      <GuildBoundary>
        <WelcomeSettings />
      </GuildBoundary>
    </div>
  );
}
