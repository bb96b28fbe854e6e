// /streams/chat-bot: the chat bot for Twitch, YouTube and Kick. Tabs: Channels (where it sits and which account it speaks
// as, chat-channels-tab.tsx), Commands (custom commands with variables,
// permission, cooldowns, platforms), Timers (every N minutes after M chat lines), Moderation (the anti-spam rules,
// their escalation and exemptions) and Log (what the bot did, filtered). Chat text is only ever rendered as text.
import { createAsync } from "@solidjs/router";
import { createSignal, For, Match, Show, Switch } from "solid-js";
import { createMutation } from "../../api/mutation.ts";
import {
  type AntiSpamSettings,
  type ChatCommandView,
  type ChatTimerView,
  type CommandInput,
  createChatCommand,
  createChatTimer,
  deleteChatCommand,
  deleteChatTimer,
  getChatBot,
  getModerationLog,
  type LogFilters,
  saveAntiSpam,
  updateChatCommand,
  updateChatTimer,
} from "../../api/streams-chat-bot.ts";
import { useSession } from "../../session/session.tsx";
import { Badge } from "../../ui/badge.tsx";
import { Boundary, InlineError, Loading } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { ConfirmActionButton, ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ListIcon } from "../../ui/icons.tsx";
import { ListTable } from "../../ui/table.tsx";
import { TimeAgo } from "../../ui/time.tsx";
import "./chat-bot.css";
import { ChannelsTab } from "./chat-channels-tab.tsx";
import { StreamsNav } from "./streams-nav.tsx";

const TABS = [
  ["channels", "Channels"],
  ["commands", "Commands"],
  ["timers", "Timers"],
  ["moderation", "Moderation"],
  ["log", "Log"],
] as const;
type Tab = (typeof TABS)[number][0];
const PERMISSIONS = ["everyone", "subscriber", "vip", "moderator", "broadcaster"] as const;
const PLATFORMS = [
  ["twitch", "Twitch"],
  ["youtube", "YouTube"],
  ["kick", "Kick"],
] as const;
type Platform = (typeof PLATFORMS)[number][0];
const RULES = ["links", "caps", "repeat", "symbols", "emotes", "zalgo", "length", "banned_words"] as const;

const lines = (text: string) => text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
const platformNames = (list: readonly string[]) => (list.length === PLATFORMS.length ? "All" : PLATFORMS.filter(([p]) => list.includes(p)).map(([, n]) => n).join(", ") || "None");
const seconds = (n: number) => (n === 0 ? "none" : n % 60 === 0 ? `${n / 60} min` : `${n} s`);

export default function ChatBotPage() {
  const session = useSession();
  const tenantId = () => session.tenant()?.id ?? "";
  const [tab, setTab] = createSignal<Tab>("commands");
  return (
    <div class="page" data-testid="chat-bot-page">
      <div class="page-header">
        <div>
          <h1>Chat bot</h1>
          <p>One bot for Twitch, YouTube and Kick chat: commands, timers and anti-spam.</p>
        </div>
      </div>
      <StreamsNav />
      <div>
        <fieldset class="segmented" aria-label="Chat bot sections">
          <For each={TABS}>
            {([id, label]) => (
              <button type="button" class="segment" classList={{ active: tab() === id }} aria-pressed={tab() === id} onClick={() => setTab(id)} data-testid={`chat-bot-tab-${id}`}>
                {label}
              </button>
            )}
          </For>
        </fieldset>
      </div>
      <Show when={tenantId()}>
        <Boundary fallback={<Loading label="Loading the chat bot" />}>
          <Switch>
            <Match when={tab() === "channels"}>
              <ChannelsTab tenantId={tenantId()} />
            </Match>
            <Match when={tab() === "commands"}>
              <CommandsTab tenantId={tenantId()} />
            </Match>
            <Match when={tab() === "timers"}>
              <TimersTab tenantId={tenantId()} />
            </Match>
            <Match when={tab() === "moderation"}>
              <ModerationTab tenantId={tenantId()} />
            </Match>
            <Match when={tab() === "log"}>
              <LogTab tenantId={tenantId()} />
            </Match>
          </Switch>
        </Boundary>
      </Show>
    </div>
  );
}

function PlatformChecks(props: { value: readonly Platform[]; onChange: (next: Platform[]) => void; testId: string }) {
  return (
    <fieldset class="field chat-bot-platforms" data-testid={props.testId}>
      <span>Platforms</span>
      <div class="chat-bot-checks">
        <For each={PLATFORMS}>
          {([p, label]) => (
            <label class="check-label">
              <input type="checkbox" checked={props.value.includes(p)} onChange={(e) => props.onChange(e.currentTarget.checked ? [...props.value, p] : props.value.filter((v) => v !== p))} /> {label}
            </label>
          )}
        </For>
      </div>
    </fieldset>
  );
}

function CommandsTab(props: { tenantId: string }) {
  const session = useSession();
  const bot = createAsync(() => getChatBot(props.tenantId));
  const touched = () => [getChatBot.keyFor(props.tenantId)];
  const blank = (): CommandInput => ({ name: "", aliases: [], response: "", permission: "everyone", userCooldownSeconds: 0, globalCooldownSeconds: 5, platforms: PLATFORMS.map(([p]) => p), enabled: true });
  const [draft, setDraft] = createSignal<CommandInput>(blank());
  const create = createMutation((input: CommandInput) => createChatCommand(props.tenantId, input), touched);
  const change = createMutation((id: string, c: Partial<CommandInput>) => updateChatCommand(props.tenantId, id, c), touched);
  const remove = createConfirmAction((c: ChatCommandView) => deleteChatCommand(props.tenantId, c.id), touched);
  const set = (patch: Partial<CommandInput>) => setDraft({ ...draft(), ...patch });
  const manage = () => session.can("chatbot.manage");

  return (
    <div class="stack">
      <Show when={manage()}>
        <Card title="New command" description="A viewer types !name in chat; the bot answers with the response, filling in the variables.">
          <form
            class="card-body stack"
            onSubmit={async (e) => {
              e.preventDefault();
              if (await create.run(draft())) setDraft(blank());
            }}
            data-testid="command-form"
          >
            <div class="form-row">
              <label class="field">
                <span>Name</span>
                <input class="input" required maxLength={33} value={draft().name} placeholder="!discord" onInput={(e) => set({ name: e.currentTarget.value })} data-testid="command-name" />
              </label>
              <label class="field">
                <span>Aliases</span>
                <input class="input" value={draft().aliases.join(", ")} placeholder="dc, server" onChange={(e) => set({ aliases: lines(e.currentTarget.value) })} data-testid="command-aliases" />
              </label>
              <label class="field">
                <span>Who may use it</span>
                <select class="select" value={draft().permission} onChange={(e) => set({ permission: e.currentTarget.value as CommandInput["permission"] })} data-testid="command-permission">
                  <For each={PERMISSIONS}>{(p) => <option value={p}>{p}</option>}</For>
                </select>
              </label>
              <label class="field">
                <span>Per-user cooldown (s)</span>
                <input class="input" type="number" min="0" max="86400" value={draft().userCooldownSeconds} onInput={(e) => set({ userCooldownSeconds: e.currentTarget.valueAsNumber || 0 })} data-testid="command-user-cooldown" />
              </label>
              <label class="field">
                <span>Global cooldown (s)</span>
                <input class="input" type="number" min="0" max="86400" value={draft().globalCooldownSeconds} onInput={(e) => set({ globalCooldownSeconds: e.currentTarget.valueAsNumber || 0 })} data-testid="command-global-cooldown" />
              </label>
            </div>
            <label class="field">
              <span>Response</span>
              <textarea class="input" required maxLength={500} value={draft().response} placeholder="Join us, {user}! https://discord.gg/…" onInput={(e) => set({ response: e.currentTarget.value })} data-testid="command-response" />
              <span class="field-hint">Variables: {"{user} {count} {uptime} {game} {title} {args} {1}…{9} {random:a|b}"}</span>
            </label>
            <PlatformChecks value={draft().platforms} onChange={(platforms) => set({ platforms })} testId="command-platforms" />
            <div class="form-actions">
              <button class="btn btn-primary" type="submit" disabled={create.pending() || !draft().name.trim() || !draft().response.trim()} data-testid="command-save">
                {create.pending() ? "Adding…" : "Add command"}
              </button>
            </div>
            <Show when={create.error()}>{(err) => <InlineError error={err()} />}</Show>
          </form>
        </Card>
      </Show>
      <Card title="Commands" description="Every command of this tenant's chat bot, on the platforms it is ticked for.">
        <Show when={change.error()}>{(err) => <div class="card-body"><InlineError error={err()} /></div>}</Show>
        <ListTable
          items={bot()?.commands}
          empty={
            <EmptyState icon={<ListIcon size={20} />} title="No commands yet" testId="commands-empty">
              {manage() ? "Add one above, e.g. !discord answering with your server's invite." : "An admin adds commands here."}
            </EmptyState>
          }
          columns={["Command", "Response", "Who", "Cooldowns", "Platforms", "Used", "On"]}
          actions={manage()}
          testId="command-list"
        >
          {(c) => (
            <tr data-testid="command-row" data-name={c.name}>
              <td class="nowrap">
                <strong>!{c.name}</strong>
                <Show when={c.aliases.length}>
                  <div class="faint">{c.aliases.map((a) => `!${a}`).join(", ")}</div>
                </Show>
              </td>
              <td>
                <span data-testid="command-row-response">{c.response}</span>
                <For each={c.warnings}>{(w) => <div class="field-hint">⚠ {w}</div>}</For>
              </td>
              <td class="nowrap">
                <Badge>{c.permission}</Badge>
              </td>
              <td class="nowrap" data-testid="command-row-cooldowns">
                user {seconds(c.userCooldownSeconds)} · all {seconds(c.globalCooldownSeconds)}
              </td>
              <td class="nowrap">{platformNames(c.platforms)}</td>
              <td class="nowrap">
                {c.useCount}
                <Show when={c.lastUsedAt}>
                  {(at) => (
                    <div class="faint">
                      <TimeAgo iso={at()} />
                    </div>
                  )}
                </Show>
              </td>
              <td>
                <input type="checkbox" checked={c.enabled} disabled={!manage() || change.pending()} aria-label={`Enable !${c.name}`} onChange={(e) => void change.run(c.id, { enabled: e.currentTarget.checked })} />
              </td>
              <Show when={manage()}>
                <td class="actions">
                  <ConfirmActionButton action={remove} row={c} label="Delete" ariaLabel={`Delete !${c.name}`} />
                </td>
              </Show>
            </tr>
          )}
        </ListTable>
      </Card>
      <ConfirmActionDialog
        action={remove}
        title="Delete command?"
        message={(c) => (
          <>
            <strong>!{c.name}</strong> stops answering in chat at once, and its use count is lost.
          </>
        )}
        confirmLabel="Delete command"
      />
    </div>
  );
}

function TimersTab(props: { tenantId: string }) {
  const session = useSession();
  const bot = createAsync(() => getChatBot(props.tenantId));
  const touched = () => [getChatBot.keyFor(props.tenantId)];
  const blank = (): Omit<ChatTimerView, "id"> => ({ name: "", message: "", intervalMinutes: 15, minLines: 5, platforms: PLATFORMS.map(([p]) => p), enabled: true });
  const [draft, setDraft] = createSignal(blank());
  const set = (patch: Partial<Omit<ChatTimerView, "id">>) => setDraft({ ...draft(), ...patch });
  const create = createMutation(() => createChatTimer(props.tenantId, draft()), touched);
  const toggle = createMutation((id: string, enabled: boolean) => updateChatTimer(props.tenantId, id, { enabled }), touched);
  const remove = createConfirmAction((t: ChatTimerView) => deleteChatTimer(props.tenantId, t.id), touched);
  const manage = () => session.can("chatbot.manage");
  return (
    <div class="stack">
      <Show when={manage()}>
        <Card title="New timer" description="Posts its message every N minutes, but only after chat has moved on by M lines since its last post.">
          <form
            class="card-body stack"
            onSubmit={async (e) => {
              e.preventDefault();
              if (await create.run()) setDraft(blank());
            }}
          >
            <div class="form-row">
              <label class="field">
                <span>Name</span>
                <input class="input" required maxLength={64} value={draft().name} onInput={(e) => set({ name: e.currentTarget.value })} data-testid="timer-name" />
              </label>
              <label class="field">
                <span>Every (minutes)</span>
                <input class="input" type="number" min="1" max="1440" value={draft().intervalMinutes} onInput={(e) => set({ intervalMinutes: e.currentTarget.valueAsNumber || 1 })} />
              </label>
              <label class="field">
                <span>After chat lines</span>
                <input class="input" type="number" min="0" max="10000" value={draft().minLines} onInput={(e) => set({ minLines: e.currentTarget.valueAsNumber || 0 })} />
              </label>
            </div>
            <label class="field">
              <span>Message</span>
              <textarea class="input" required maxLength={500} value={draft().message} onInput={(e) => set({ message: e.currentTarget.value })} data-testid="timer-message" />
            </label>
            <PlatformChecks value={draft().platforms} onChange={(platforms) => set({ platforms })} testId="timer-platforms" />
            <div class="form-actions">
              <button class="btn btn-primary" type="submit" disabled={create.pending() || !draft().name.trim() || !draft().message.trim()} data-testid="timer-save">
                {create.pending() ? "Adding…" : "Add timer"}
              </button>
            </div>
            <Show when={create.error()}>{(err) => <InlineError error={err()} />}</Show>
          </form>
        </Card>
      </Show>
      <Card title="Timers">
        <Show when={toggle.error()}>{(err) => <div class="card-body"><InlineError error={err()} /></div>}</Show>
        <ListTable
          items={bot()?.timers}
          empty={
            <EmptyState icon={<ListIcon size={20} />} title="No timers yet" testId="timers-empty">
              A timer reminds chat of something (socials, schedule) and stays quiet while chat is.
            </EmptyState>
          }
          columns={["Timer", "Message", "Schedule", "Platforms", "On"]}
          actions={manage()}
          testId="timer-list"
        >
          {(t) => (
            <tr data-testid="timer-row">
              <td class="nowrap">
                <strong>{t.name}</strong>
              </td>
              <td>{t.message}</td>
              <td class="nowrap">
                every {t.intervalMinutes} min, after {t.minLines} lines
              </td>
              <td class="nowrap">{platformNames(t.platforms)}</td>
              <td>
                <input type="checkbox" checked={t.enabled} disabled={!manage() || toggle.pending()} aria-label={`Enable ${t.name}`} onChange={(e) => void toggle.run(t.id, e.currentTarget.checked)} />
              </td>
              <Show when={manage()}>
                <td class="actions">
                  <ConfirmActionButton action={remove} row={t} label="Delete" ariaLabel={`Delete timer ${t.name}`} />
                </td>
              </Show>
            </tr>
          )}
        </ListTable>
      </Card>
      <ConfirmActionDialog action={remove} title="Delete timer?" message={(t) => <><strong>{t.name}</strong> stops posting at once.</>} confirmLabel="Delete timer" />
    </div>
  );
}

function ModerationTab(props: { tenantId: string }) {
  const bot = createAsync(() => getChatBot(props.tenantId));
  // The form keeps its own copy once read: a save's revalidation does not reset what the user sees.
  return <Show when={bot()}>{(b) => <ModerationForm tenantId={props.tenantId} initial={b().antiSpam} />}</Show>;
}

type RuleKey = "links" | "caps" | "repeats" | "symbols" | "emotes" | "zalgo" | "length" | "bannedWords";

function ModerationForm(props: { tenantId: string; initial: AntiSpamSettings }) {
  const session = useSession();
  const [s, setS] = createSignal<AntiSpamSettings>(structuredClone(props.initial));
  const [saved, setSaved] = createSignal(false);
  const save = createMutation(() => saveAntiSpam(props.tenantId, s()), () => [getChatBot.keyFor(props.tenantId)]);
  const manage = () => session.can("chatbot.manage");
  const edit = (change: (draft: AntiSpamSettings) => void) => {
    const next = structuredClone(s());
    change(next);
    setS(next);
    setSaved(false);
  };
  const toggle = (key: RuleKey, label: string) => (
    <label class="check-label">
      <input type="checkbox" checked={s()[key].enabled} disabled={!manage()} onChange={(e) => edit((d) => (d[key].enabled = e.currentTarget.checked))} data-testid={`antispam-${key}`} /> {label}
    </label>
  );
  return (
    <Card title="Anti-spam" description="Checked on every chat message from viewers who are not exempt; each strike escalates.">
      <form
        class="card-body stack"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await save.run()) setSaved(true);
        }}
        data-testid="antispam-form"
      >
        <label class="check-label">
          <input type="checkbox" checked={s().enabled} disabled={!manage()} onChange={(e) => edit((d) => (d.enabled = e.currentTarget.checked))} data-testid="antispam-enabled" /> Anti-spam on
        </label>
        <fieldset class="chat-bot-fieldset stack">
          <legend>Rules</legend>
          {toggle("links", "Links (allowed domains and !permit pass)")}
          <label class="field">
            <span>Allowed domains (one per line)</span>
            <textarea
              class="input"
              disabled={!manage()}
              value={s().links.allowedDomains.join("\n")}
              placeholder={"clips.twitch.tv\nyoutube.com"}
              onChange={(e) => edit((d) => (d.links.allowedDomains = lines(e.currentTarget.value)))}
              data-testid="antispam-allowed-domains"
            />
          </label>
          {toggle("caps", "Caps (emotes are not counted)")}
          <label class="field chat-bot-narrow">
            <span>Max caps share (%)</span>
            <input class="input" type="number" min="10" max="100" disabled={!manage()} value={Math.round(s().caps.maxRatio * 100)} onInput={(e) => edit((d) => (d.caps.maxRatio = (e.currentTarget.valueAsNumber || 0) / 100))} />
          </label>
          {toggle("repeats", "Repeated and near-duplicate messages")}
          {toggle("symbols", "Symbol floods")}
          {toggle("emotes", "Emote floods")}
          {toggle("zalgo", "Zalgo text")}
          {toggle("length", "Message length")}
          {toggle("bannedWords", "Banned words and patterns")}
          <label class="field">
            <span>Banned words (one per line)</span>
            <textarea class="input" disabled={!manage()} value={s().bannedWords.words.join("\n")} onChange={(e) => edit((d) => (d.bannedWords.words = lines(e.currentTarget.value)))} />
          </label>
          <label class="field">
            <span>Patterns (safe regular expressions, one per line)</span>
            <textarea
              class="input"
              disabled={!manage()}
              value={s().bannedWords.patterns.join("\n")}
              onChange={(e) => edit((d) => (d.bannedWords.patterns = e.currentTarget.value.split("\n").map((l) => l.trim()).filter(Boolean)))}
            />
          </label>
        </fieldset>
        <fieldset class="chat-bot-fieldset">
          <legend>Exempt</legend>
          <div class="chat-bot-checks">
            <For each={["broadcaster", "moderator", "vip", "subscriber"] as const}>
              {(role) => (
                <label class="check-label">
                  <input
                    type="checkbox"
                    disabled={!manage()}
                    checked={s().exemptRoles.includes(role)}
                    onChange={(e) => edit((d) => (d.exemptRoles = e.currentTarget.checked ? [...d.exemptRoles, role] : d.exemptRoles.filter((r) => r !== role)))}
                  />{" "}
                  {role}
                </label>
              )}
            </For>
          </div>
        </fieldset>
        <p class="field-hint">
          Escalation: {s().escalation.map((step, i) => `${i + 1}. ${step.action === "timeout" ? `timeout ${step.seconds} s` : step.action}`).join(" → ")} (strikes count for{" "}
          {Math.round(s().strikeMemorySeconds / 60)} min)
        </p>
        <Show when={manage()}>
          <div class="form-actions">
            <button class="btn btn-primary" type="submit" disabled={save.pending()} data-testid="antispam-save">
              {save.pending() ? "Saving…" : "Save"}
            </button>
            <Show when={saved()}>
              <span class="field-hint" data-testid="antispam-saved">
                Saved. The bot uses it from the next message.
              </span>
            </Show>
          </div>
        </Show>
        <Show when={save.error()}>{(err) => <InlineError error={err()} />}</Show>
      </form>
    </Card>
  );
}

function LogTab(props: { tenantId: string }) {
  const [filters, setFilters] = createSignal<LogFilters>({ platform: "", rule: "", action: "", user: "" });
  const log = createAsync(() => getModerationLog(props.tenantId, JSON.stringify(filters())));
  const filtered = () => Object.values(filters()).some((v) => v.trim() !== "");
  const pick = (key: keyof LogFilters, options: readonly string[], label: string) => (
    <label class="field">
      <span>{label}</span>
      <select class="select" value={filters()[key]} onChange={(e) => setFilters({ ...filters(), [key]: e.currentTarget.value })}>
        <option value="">All</option>
        <For each={options}>{(o) => <option value={o}>{o}</option>}</For>
      </select>
    </label>
  );
  return (
    <Card title="Moderation log" description="What the bot did about which message, newest first.">
      <div class="card-body form-row">
        {pick(
          "platform",
          PLATFORMS.map(([p]) => p),
          "Platform",
        )}
        {pick("rule", RULES, "Rule")}
        {pick("action", ["delete", "warn", "timeout"], "Action")}
        <label class="field">
          <span>User</span>
          <input class="input" value={filters().user} placeholder="Name or id" onChange={(e) => setFilters({ ...filters(), user: e.currentTarget.value })} />
        </label>
      </div>
      <ListTable
        items={log()?.entries}
        empty={
          <EmptyState icon={<ListIcon size={20} />} title={filtered() ? "Nothing matches these filters" : "Nothing moderated yet"} testId="moderation-log-empty">
            {filtered() ? "Try another platform, rule or action." : "Messages the bot deletes, warns about or times out show up here."}
          </EmptyState>
        }
        columns={["When", "User", "Rule", "Action", "Message"]}
        testId="moderation-log"
      >
        {(e) => (
          <tr>
            <td class="nowrap">
              <TimeAgo iso={e.createdAt} />
            </td>
            <td>
              {e.userName} <span class="faint">({e.platform})</span>
            </td>
            <td class="nowrap">{e.rule}</td>
            <td class="nowrap">
              {e.action}
              {e.durationSeconds ? ` ${e.durationSeconds} s` : ""} <span class="faint">strike {e.strike}</span>
              <Show when={e.error}>{(err) => <div class="field-hint">⚠ {err()}</div>}</Show>
            </td>
            <td>{e.excerpt}</td>
          </tr>
        )}
      </ListTable>
    </Card>
  );
}
