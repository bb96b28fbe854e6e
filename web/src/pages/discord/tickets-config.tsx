// Ticket configuration: panels (a message in a channel with one button per category, or a select menu past five)
// with their categories (staff roles, up to 5 questions asked in a Discord form) and where their tickets open (a
// private thread, or a channel of their own under a Discord category), posting a panel, and the server's settings
// (open tickets per member, support hours, auto-close, log channel, rating).
import { createAsync } from "@solidjs/router";
import { createSignal, For, Index, Show, untrack } from "solid-js";
import { createStore, type SetStoreFunction } from "solid-js/store";
import { getAuditPage } from "../../api/client.ts";
import {
  createTicketPanel,
  deleteTicketPanel,
  getTicketConfig,
  postTicketPanel,
  type TicketPanelInput,
  type TicketPanelView,
  type TicketSettings,
  updateTicketPanel,
  updateTicketSettings,
} from "../../api/discord-tickets.ts";
import { createMutation } from "../../api/mutation.ts";
import { useSession } from "../../session/session.tsx";
import { Badge } from "../../ui/badge.tsx";
import { InlineError } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { ConfirmActionButton, ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ListIcon, PlusIcon } from "../../ui/icons.tsx";
import { CardError, CardSuccess } from "./card-notices.tsx";
import { FieldIssues, issuesOf } from "./field-issues.tsx";
import { useGuild } from "./guild-context.tsx";
import { NewItemButton } from "./new-item-button.tsx";
import { ChannelField, channelLabel, type GuildPickers, PickersNote, RolesField, roleLabel, useGuildPickers } from "./pickers.tsx";

/** Discord: a modal holds at most 5 text inputs; a select menu at most 25 options; 5 buttons fit one row. */
const MAX_QUESTIONS = 5;
const MAX_CATEGORIES = 25;
const MAX_BUTTONS = 5;
const MAX_STAFF_ROLES = 10;
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

type Category = TicketPanelInput["categories"][number];
type Question = NonNullable<Category["questions"]>[number];

/** Discord: channel type 4 is a category, the only parent a text channel can have. */
const DISCORD_CATEGORY = 4;

const newCategory = (): Category => ({ name: "", emoji: null, description: "", staffRoleIds: [], questions: [] });
const newQuestion = (): Question => ({ label: "", style: "paragraph", required: true });

function CategoryEditor(props: { index: number; category: Category; set: SetStoreFunction<TicketPanelInput>; count: number; pickers: GuildPickers; issues: ReturnType<typeof issuesOf> }) {
  const i = () => props.index;
  const questions = () => props.category.questions ?? [];
  return (
    <fieldset class="welcome-section stack" data-testid="ticket-category">
      <legend>Category {i() + 1}</legend>
      <div class="form-row">
        <label class="field grow">
          <span>Name</span>
          <input
            class="input"
            required
            maxLength={80}
            placeholder="e.g. Billing"
            value={props.category.name}
            onInput={(e) => props.set("categories", i(), "name", e.currentTarget.value)}
            data-testid="ticket-category-name"
          />
        </label>
        <label class="field color-field">
          <span>Emoji</span>
          <input class="input" maxLength={16} placeholder="Optional" value={props.category.emoji ?? ""} onInput={(e) => props.set("categories", i(), "emoji", e.currentTarget.value.trim() || null)} />
        </label>
      </div>
      <label class="field">
        <span>Description</span>
        <input
          class="input"
          maxLength={100}
          placeholder="Shown under the option when the panel is a select menu"
          value={props.category.description ?? ""}
          onInput={(e) => props.set("categories", i(), "description", e.currentTarget.value)}
        />
      </label>
      <RolesField
        pickers={props.pickers}
        label="Staff roles"
        max={MAX_STAFF_ROLES}
        value={props.category.staffRoleIds ?? []}
        onChange={(ids) => props.set("categories", i(), "staffRoleIds", ids)}
        hint="They see and answer this category's tickets. Up to 10."
        testId="ticket-category-staff"
      />
      <div class="field">
        <span class="field-label">
          Questions ({questions().length}/{MAX_QUESTIONS})
        </span>
        <span class="field-hint">Asked in a Discord form when the ticket is opened; the answers start the ticket.</span>
        <Index each={questions()}>
          {(q, j) => (
            <div class="question-row">
              <input
                class="input"
                aria-label={`Question ${j + 1}`}
                required
                maxLength={45}
                placeholder="Question (45 characters)"
                value={q().label}
                onInput={(e) => props.set("categories", i(), "questions", j, "label", e.currentTarget.value)}
                data-testid="ticket-question-label"
              />
              <select
                class="select"
                aria-label={`Question ${j + 1} answer`}
                value={q().style ?? "paragraph"}
                onChange={(e) => props.set("categories", i(), "questions", j, "style", e.currentTarget.value as "short" | "paragraph")}
              >
                <option value="short">Short answer</option>
                <option value="paragraph">Paragraph</option>
              </select>
              <label class="check-line">
                <input type="checkbox" checked={q().required ?? true} onChange={(e) => props.set("categories", i(), "questions", j, "required", e.currentTarget.checked)} /> Required
              </label>
              <button
                type="button"
                class="btn btn-sm btn-ghost-danger"
                aria-label={`Remove question ${j + 1}`}
                onClick={() => props.set("categories", i(), "questions", questions().filter((_, k) => k !== j))}
              >
                Remove
              </button>
            </div>
          )}
        </Index>
        <div class="header-actions">
          <button
            type="button"
            class="btn btn-sm"
            disabled={questions().length >= MAX_QUESTIONS}
            onClick={() => props.set("categories", i(), "questions", [...questions(), newQuestion()])}
            data-testid="ticket-add-question"
          >
            Add question
          </button>
          <button
            type="button"
            class="btn btn-sm btn-ghost-danger"
            disabled={props.count <= 1}
            title={props.count <= 1 ? "A panel needs at least one category" : undefined}
            onClick={() => props.set("categories", (all) => all.filter((_, k) => k !== i()))}
          >
            Remove category
          </button>
        </div>
      </div>
      <FieldIssues issues={props.issues} path={`categories.${i()}`} />
    </fieldset>
  );
}

/** The Discord category channel tickets open in: the server's categories, or an id typed in when they can't be listed. */
function DiscordCategoryField(props: { pickers: GuildPickers; value: string; onChange: (id: string) => void }) {
  const categories = () => (props.pickers.overview()?.channels ?? []).filter((c) => c.type === DISCORD_CATEGORY).sort((a, b) => a.position - b.position);
  return (
    <label class="field grow">
      <span>In the Discord category</span>
      <Show
        when={props.pickers.overview()}
        fallback={
          <input
            class="input mono"
            name="ticket-discord-category"
            inputMode="numeric"
            pattern="\d{5,25}"
            placeholder={props.pickers.loaded() ? "Category ID (empty: top of the channel list)" : "Loading categories…"}
            value={props.value}
            onInput={(e) => props.onChange(e.currentTarget.value.trim())}
            data-testid="ticket-panel-discord-category"
          />
        }
      >
        <select class="select" name="ticket-discord-category" value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)} data-testid="ticket-panel-discord-category">
          <option value="">None (top of the channel list)</option>
          <For each={categories()}>{(c) => <option value={c.id}>{c.name}</option>}</For>
        </select>
        <Show when={categories().length === 0}>
          <span class="field-hint" data-testid="ticket-panel-no-categories">
            This server has no categories yet; ticket channels open at the top of the channel list.
          </span>
        </Show>
      </Show>
    </label>
  );
}

/** How a panel's tickets open, for its row: "Private threads" or "Channels in <category>". */
function ticketKindLabel(pickers: GuildPickers, panel: TicketPanelView): string {
  if (panel.ticketKind === "thread") return "Private threads";
  if (!panel.discordCategoryId) return "Channels";
  const category = pickers.overview()?.channels.find((c) => c.id === panel.discordCategoryId);
  return `Channels in ${category ? category.name : panel.discordCategoryId}`;
}

function PanelDialog(props: { panel?: TicketPanelView; pickers: GuildPickers; onClose: () => void }) {
  const scope = useGuild();
  const p = untrack(() => props.panel);
  const [form, setForm] = createStore<TicketPanelInput>(
    p
      ? structuredClone({
          channelId: p.channelId,
          title: p.title,
          description: p.description,
          ticketKind: p.ticketKind,
          discordCategoryId: p.discordCategoryId,
          categories: p.categories.map((c) => ({ id: c.id, name: c.name, emoji: c.emoji, description: c.description, staffRoleIds: c.staffRoleIds, questions: c.questions })),
        })
      : { channelId: "", title: "Need help?", description: "Open a ticket and our team will answer in private.", ticketKind: "thread", discordCategoryId: null, categories: [newCategory()] },
  );
  // The API refuses a category on a thread panel: switching to threads forgets it.
  const setKind = (kind: "thread" | "channel") => {
    setForm("ticketKind", kind);
    if (kind === "thread") setForm("discordCategoryId", null);
  };
  const save = createMutation(
    async () => {
      const input = JSON.parse(JSON.stringify(form)) as TicketPanelInput;
      return p ? updateTicketPanel(scope.tenantId, scope.guildId, p.id, input) : createTicketPanel(scope.tenantId, scope.guildId, input);
    },
    () => [getTicketConfig.keyFor(scope.tenantId, scope.guildId), getAuditPage.key],
  );
  const issues = () => issuesOf(save.error());

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    if (await save.run()) props.onClose();
  }

  return (
    <Dialog open title={p ? `Edit "${p.title}"` : "New ticket panel"} onClose={() => props.onClose()} testId="ticket-panel-dialog">
      <form class="stack dialog-wide" onSubmit={submit} data-testid="ticket-panel-form">
        <div class="form-row">
          <ChannelField pickers={props.pickers} name="panel-channel" label="Post in" value={form.channelId} onChange={(id) => setForm("channelId", id)} testId="ticket-panel-channel" />
          <label class="field grow">
            <span>Title</span>
            <input class="input" required maxLength={256} value={form.title} onInput={(e) => setForm("title", e.currentTarget.value)} data-testid="ticket-panel-title" />
          </label>
        </div>
        <label class="field">
          <span>Text</span>
          <textarea class="input" maxLength={2000} value={form.description ?? ""} onInput={(e) => setForm("description", e.currentTarget.value)} />
        </label>
        <div class="form-row">
          <label class="field">
            <span>Tickets open as</span>
            <select class="select" name="ticket-kind" value={form.ticketKind ?? "thread"} onChange={(e) => setKind(e.currentTarget.value as "thread" | "channel")} data-testid="ticket-panel-kind">
              <option value="thread">A private thread under this channel</option>
              <option value="channel">A channel of their own</option>
            </select>
          </label>
          <Show when={form.ticketKind === "channel"}>
            <DiscordCategoryField pickers={props.pickers} value={form.discordCategoryId ?? ""} onChange={(id) => setForm("discordCategoryId", id || null)} />
          </Show>
        </div>
        <Show when={form.ticketKind === "channel"}>
          <span class="field-hint">
            Only the opener, the category's staff roles and the bot can see a ticket's channel; it is deleted once the ticket closes and its transcript is stored. The bot needs
            Manage Channels and Manage Roles.
          </span>
        </Show>
        <PickersNote pickers={props.pickers} />
        <FieldIssues issues={issues()} path="channelId" />
        <FieldIssues issues={issues()} path="title" />
        <FieldIssues issues={issues()} path="ticketKind" />
        <FieldIssues issues={issues()} path="discordCategoryId" />
        <span class="field-hint">
          {form.categories.length > MAX_BUTTONS
            ? `${form.categories.length} categories: the panel shows a select menu (up to ${MAX_CATEGORIES}).`
            : `One button per category (up to ${MAX_BUTTONS}; more become a select menu).`}
        </span>
        <For each={form.categories}>
          {(c, i) => <CategoryEditor index={i()} category={c} set={setForm} count={form.categories.length} pickers={props.pickers} issues={issues()} />}
        </For>
        <div>
          <button
            type="button"
            class="btn btn-sm"
            disabled={form.categories.length >= MAX_CATEGORIES}
            onClick={() => setForm("categories", form.categories.length, newCategory())}
            data-testid="ticket-add-category"
          >
            <PlusIcon size={14} /> Add category
          </button>
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
          <button type="submit" class="btn btn-primary" disabled={save.pending() || !form.channelId} data-testid="ticket-panel-save">
            {save.pending() ? "Saving…" : p ? "Save" : "Create panel"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function TicketPanelsCard() {
  const scope = useGuild();
  const session = useSession();
  const manage = () => session.can("tickets.manage");
  const config = createAsync(() => getTicketConfig(scope.tenantId, scope.guildId));
  const pickers = useGuildPickers();
  const [editing, setEditing] = createSignal<TicketPanelView | null>();
  const [posted, setPosted] = createSignal<{ title: string; action: "created" | "edited" }>();
  const touched = () => [getTicketConfig.keyFor(scope.tenantId, scope.guildId), getAuditPage.key];
  const post = createMutation((panel: TicketPanelView) => postTicketPanel(scope.tenantId, scope.guildId, panel.id), touched);
  const remove = createConfirmAction((panel: TicketPanelView) => deleteTicketPanel(scope.tenantId, scope.guildId, panel.id), touched);

  async function postPanel(panel: TicketPanelView) {
    setPosted(undefined);
    const done = await post.run(panel);
    if (done) setPosted({ title: panel.title, action: done.value.action });
  }

  return (
    <>
      <Card
        title="Panels and categories"
        testId="ticket-panels"
        description="A panel is a message in a channel; members press a category's button to open a ticket in a private thread or a channel of its own."
        actions={
          <NewItemButton when={manage()} testId="create-ticket-panel" onClick={() => setEditing(null)}>
            New panel
          </NewItemButton>
        }
      >
        <Show when={posted()}>
          {(x) => (
            <CardSuccess testId="ticket-panel-posted">
              "{x().title}" {x().action === "created" ? "posted" : "updated in place"} in Discord.
            </CardSuccess>
          )}
        </Show>
        <CardError error={post.error()} />
        <Show
          when={(config()?.panels.length ?? 0) > 0}
          fallback={
            <EmptyState icon={<ListIcon size={20} />} title="No ticket panels yet" testId="ticket-panels-empty">
              {manage() ? "Create a panel with its categories, then post it to a channel." : "An admin sets up ticket panels here."}
            </EmptyState>
          }
        >
          <div class="card-body">
          <ul class="result-list">
            <For each={config()?.panels}>
              {(panel) => (
                <li class="panel-row" data-testid="ticket-panel-row">
                  <div class="grow stack" style={{ gap: "6px" }}>
                    <span>
                      <strong>{panel.title}</strong> <span class="muted">in</span> <span class="mono">{channelLabel(pickers, panel.channelId)}</span>{" "}
                      <Badge tone={panel.messageId ? "success" : "neutral"}>{panel.messageId ? "posted" : "not posted"}</Badge>{" "}
                      <span class="faint">{panel.style === "select" ? "Select menu" : "Buttons"}</span> <span class="faint">·</span>{" "}
                      <span class="faint" data-testid="ticket-panel-kind-label">
                        {ticketKindLabel(pickers, panel)}
                      </span>
                    </span>
                    <div class="chips">
                      <For each={panel.categories}>
                        {(c) => (
                          <span class="badge" data-testid="ticket-category-chip" title={c.staffRoleIds.length ? `Staff: ${c.staffRoleIds.map((id) => roleLabel(pickers, id)).join(", ")}` : "No staff roles"}>
                            {c.emoji ? `${c.emoji} ` : ""}
                            {c.name}
                            <span class="faint">
                              {" "}
                              · {c.staffRoleIds.length ? c.staffRoleIds.map((id) => roleLabel(pickers, id)).join(", ") : "no staff role"} · {c.questions.length} question
                              {c.questions.length === 1 ? "" : "s"}
                            </span>
                          </span>
                        )}
                      </For>
                    </div>
                  </div>
                  <Show when={manage()}>
                    <div class="row-actions">
                      <button type="button" class="btn btn-sm" disabled={post.pending()} onClick={() => void postPanel(panel)} data-testid="ticket-panel-post">
                        {panel.messageId ? "Re-post" : "Post"}
                      </button>
                      <button type="button" class="btn btn-sm" onClick={() => setEditing(panel)} aria-label={`Edit ${panel.title}`}>
                        Edit
                      </button>
                      <ConfirmActionButton action={remove} row={panel} label="Delete" ariaLabel={`Delete ${panel.title}`} />
                    </div>
                  </Show>
                </li>
              )}
            </For>
          </ul>
          </div>
        </Show>
      </Card>
      <Show when={editing() !== undefined}>
        <PanelDialog panel={editing() ?? undefined} pickers={pickers} onClose={() => setEditing(undefined)} />
      </Show>
      <ConfirmActionDialog
        action={remove}
        title="Delete this panel?"
        message={(panel) => (
          <>
            <strong>{panel.title}</strong> and its {panel.categories.length} categor{panel.categories.length === 1 ? "y" : "ies"} are deleted, and its message is removed from
            Discord. Tickets already open stay open.
          </>
        )}
        confirmLabel="Delete panel"
      />
    </>
  );
}

const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
const WEEKDAYS = [1, 2, 3, 4, 5].map((day) => ({ day, start: "09:00", end: "17:00" }));

export function TicketSettingsCard() {
  const scope = useGuild();
  const session = useSession();
  const manage = () => session.can("tickets.manage");
  const config = createAsync(() => getTicketConfig(scope.tenantId, scope.guildId));
  const pickers = useGuildPickers();
  return (
    <Card title="Ticket settings" testId="ticket-settings" description="For every panel of this server.">
      <Show when={config()}>{(c) => <SettingsForm settings={c().settings} pickers={pickers} manage={manage()} />}</Show>
    </Card>
  );
}

function SettingsForm(props: { settings: TicketSettings; pickers: GuildPickers; manage: boolean }) {
  const scope = useGuild();
  const [form, setForm] = createStore<TicketSettings>(structuredClone(untrack(() => props.settings)));
  const [saved, setSaved] = createSignal(false);
  const save = createMutation(
    () => updateTicketSettings(scope.tenantId, scope.guildId, JSON.parse(JSON.stringify(form)) as TicketSettings),
    () => [getTicketConfig.keyFor(scope.tenantId, scope.guildId), getAuditPage.key],
  );
  const issues = () => issuesOf(save.error());

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    setSaved(false);
    if (await save.run()) setSaved(true);
  }

  return (
    <form class="card-body stack" onSubmit={submit} data-testid="ticket-settings-form">
      <fieldset class="stack plain-fieldset" disabled={!props.manage}>
        <div class="form-row">
          <label class="field">
            <span>Open tickets per member</span>
            <input
              class="input"
              type="number"
              min={1}
              max={20}
              required
              value={form.perUserLimit}
              onInput={(e) => setForm("perUserLimit", Math.trunc(e.currentTarget.valueAsNumber || 1))}
              data-testid="ticket-limit"
            />
          </label>
          <label class="field">
            <span>Auto-close after (hours idle)</span>
            <input
              class="input"
              type="number"
              min={1}
              max={720}
              placeholder="Never"
              value={form.autoCloseHours ?? ""}
              onInput={(e) => setForm("autoCloseHours", Number.isFinite(e.currentTarget.valueAsNumber) ? Math.trunc(e.currentTarget.valueAsNumber) : null)}
              data-testid="ticket-auto-close"
            />
          </label>
          <ChannelField
            pickers={props.pickers}
            name="ticket-log-channel"
            label="Transcripts go to"
            required={false}
            value={form.logChannelId ?? ""}
            onChange={(id) => setForm("logChannelId", id || null)}
            testId="ticket-log-channel"
          />
        </div>
        <span class="field-hint">Auto-close: empty for never, at most 720 hours (30 days). Without a log channel, transcripts are kept here only.</span>
        <FieldIssues issues={issues()} path="perUserLimit" />
        <FieldIssues issues={issues()} path="autoCloseHours" />
        <label class="check-line">
          <input type="checkbox" checked={form.ratingEnabled} onChange={(e) => setForm("ratingEnabled", e.currentTarget.checked)} data-testid="ticket-rating" /> Ask the opener to
          rate the help after closing
        </label>
        <label class="check-line">
          <input
            type="checkbox"
            checked={form.supportHours !== null}
            onChange={(e) => setForm("supportHours", e.currentTarget.checked ? { timeZone: localZone(), windows: WEEKDAYS } : null)}
            data-testid="ticket-support-hours"
          />{" "}
          Support hours (outside them, new tickets are told when staff is back)
        </label>
        <Show when={form.supportHours}>
          {(hours) => (
            <div class="stack welcome-embed">
              <label class="field">
                <span>Time zone</span>
                <input class="input" required maxLength={64} placeholder="Europe/Berlin" value={hours().timeZone} onInput={(e) => setForm("supportHours", "timeZone", e.currentTarget.value.trim())} />
              </label>
              <Index each={hours().windows}>
                {(w, i) => (
                  <div class="question-row">
                    <select class="select" aria-label="Day" value={w().day} onChange={(e) => setForm("supportHours", "windows", i, "day", Number(e.currentTarget.value))}>
                      <For each={DAYS}>{(d, n) => <option value={n()}>{d}</option>}</For>
                    </select>
                    <input class="input" type="time" aria-label="From" required value={w().start} onInput={(e) => setForm("supportHours", "windows", i, "start", e.currentTarget.value)} />
                    <input class="input" type="time" aria-label="Until" required value={w().end} onInput={(e) => setForm("supportHours", "windows", i, "end", e.currentTarget.value)} />
                    <button
                      type="button"
                      class="btn btn-sm btn-ghost-danger"
                      disabled={hours().windows.length <= 1}
                      onClick={() => setForm("supportHours", "windows", (all) => all.filter((_, k) => k !== i))}
                    >
                      Remove
                    </button>
                  </div>
                )}
              </Index>
              <div>
                <button
                  type="button"
                  class="btn btn-sm"
                  disabled={hours().windows.length >= 28}
                  onClick={() => setForm("supportHours", "windows", hours().windows.length, { day: 1, start: "09:00", end: "17:00" })}
                >
                  Add hours
                </button>
              </div>
              <FieldIssues issues={issues()} path="supportHours" />
            </div>
          )}
        </Show>
      </fieldset>
      <PickersNote pickers={props.pickers} />
      <Show when={save.error() && issues().length === 0}>
        <InlineError error={save.error()} />
      </Show>
      <Show when={props.manage}>
        <div class="form-actions">
          <Show when={saved()}>
            <span class="muted" role="status" data-testid="ticket-settings-saved">
              Saved.
            </span>
          </Show>
          <button type="submit" class="btn btn-primary" disabled={save.pending()} data-testid="ticket-settings-save">
            {save.pending() ? "Saving…" : "Save settings"}
          </button>
        </div>
      </Show>
    </form>
  );
}
