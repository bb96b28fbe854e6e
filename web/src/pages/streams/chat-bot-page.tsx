// /streams/chat-bot: the chat bot for Twitch, YouTube and Kick. Tabs: Commands (custom commands with variables,
// permission, cooldowns, platforms), Timers (every N minutes after M chat lines), Moderation (the anti-spam rules,
// their escalation and exemptions) and Log (what the bot did, filtered). Chat text is only ever rendered as text.
import { createAsync } from "@solidjs/router";
import { createSignal, For, Match, Show, Switch } from "solid-js";
import { createMutation } from "../../api/mutation.ts";
import {
  type AntiSpamSettings,
  type ChatCommandView,
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
import { Boundary, InlineError } from "../../ui/boundary.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";

const TABS = [
  ["commands", "Commands"],
  ["timers", "Timers"],
  ["moderation", "Moderation"],
  ["log", "Log"],
] as const;
type Tab = (typeof TABS)[number][0];
const PERMISSIONS = ["everyone", "subscriber", "vip", "moderator", "broadcaster"] as const;
const PLATFORMS = ["twitch", "youtube", "kick"] as const;
const RULES = ["links", "caps", "repeat", "symbols", "emotes", "zalgo", "length", "banned_words"] as const;

const lines = (text: string) => text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);

export default function ChatBotPage() {
  const session = useSession();
  const tenantId = () => session.tenant()?.id ?? "";
  const [tab, setTab] = createSignal<Tab>("commands");
  return (
    <section class="page" data-testid="chat-bot-page">
      <header class="page-header">
        <h1>Chat bot</h1>
        <p class="muted">One bot for Twitch, YouTube and Kick chat: commands, timers and anti-spam.</p>
      </header>
      <nav class="tabs" aria-label="Chat bot sections">
        <For each={TABS}>
          {([id, label]) => (
            <button type="button" class="tab" classList={{ active: tab() === id }} aria-pressed={tab() === id} onClick={() => setTab(id)} data-testid={`chat-bot-tab-${id}`}>
              {label}
            </button>
          )}
        </For>
      </nav>
      <Boundary>
        <Show when={tenantId()}>
          <Switch>
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
        </Show>
      </Boundary>
    </section>
  );
}

function CommandsTab(props: { tenantId: string }) {
  const bot = createAsync(() => getChatBot(props.tenantId));
  const blank = (): CommandInput => ({ name: "", aliases: [], response: "", permission: "everyone", userCooldownSeconds: 0, globalCooldownSeconds: 5, platforms: [...PLATFORMS], enabled: true });
  const [draft, setDraft] = createSignal<CommandInput>(blank());
  const create = createMutation((input: CommandInput) => createChatCommand(props.tenantId, input), () => [getChatBot.key]);
  const change = createMutation((id: string, c: Partial<CommandInput>) => updateChatCommand(props.tenantId, id, c), () => [getChatBot.key]);
  const remove = createMutation((id: string) => deleteChatCommand(props.tenantId, id), () => [getChatBot.key]);
  const set = (patch: Partial<CommandInput>) => setDraft({ ...draft(), ...patch });
  return (
    <div class="stack">
      <form
        class="card stack"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await create.run(draft())) setDraft(blank());
        }}
      >
        <h2>New command</h2>
        <div class="row wrap">
          <label>
            Name <input required value={draft().name} placeholder="!discord" onInput={(e) => set({ name: e.currentTarget.value })} data-testid="command-name" />
          </label>
          <label>
            Aliases <input value={draft().aliases.join(", ")} placeholder="dc, server" onInput={(e) => set({ aliases: lines(e.currentTarget.value) })} />
          </label>
          <label>
            Who may use it
            <select value={draft().permission} onChange={(e) => set({ permission: e.currentTarget.value as CommandInput["permission"] })}>
              <For each={PERMISSIONS}>{(p) => <option value={p}>{p}</option>}</For>
            </select>
          </label>
          <label>
            Per-user cooldown (s) <input type="number" min="0" max="86400" value={draft().userCooldownSeconds} onInput={(e) => set({ userCooldownSeconds: Number(e.currentTarget.value) })} />
          </label>
          <label>
            Global cooldown (s) <input type="number" min="0" max="86400" value={draft().globalCooldownSeconds} onInput={(e) => set({ globalCooldownSeconds: Number(e.currentTarget.value) })} />
          </label>
        </div>
        <label>
          Response <textarea required maxLength={500} value={draft().response} placeholder="Join us, {user}! {random:see you there|hop in}" onInput={(e) => set({ response: e.currentTarget.value })} data-testid="command-response" />
        </label>
        <p class="muted small">Variables: {"{user} {count} {uptime} {game} {title} {args} {1}…{9} {random:a|b}"}</p>
        <div class="row">
          <button class="button primary" type="submit" disabled={create.pending()} data-testid="command-save">
            Add command
          </button>
          <Show when={create.error()}>{(err) => <InlineError error={err()} />}</Show>
        </div>
      </form>
      <Show when={(bot()?.commands.length ?? 0) > 0} fallback={<EmptyState title="No commands yet">Add one above; it answers on every platform you tick.</EmptyState>}>
        <table class="table" data-testid="command-list">
          <thead>
            <tr>
              <th>Command</th>
              <th>Response</th>
              <th>Who</th>
              <th>Used</th>
              <th>On</th>
              <th />
            </tr>
          </thead>
          <tbody>
            <For each={bot()?.commands ?? []}>
              {(c: ChatCommandView) => (
                <tr>
                  <td>
                    !{c.name}
                    <Show when={c.aliases.length}>
                      <span class="muted small"> ({c.aliases.map((a) => `!${a}`).join(", ")})</span>
                    </Show>
                  </td>
                  <td>
                    {c.response}
                    <For each={c.warnings}>{(w) => <div class="muted small">⚠ {w}</div>}</For>
                  </td>
                  <td>{c.permission}</td>
                  <td>{c.useCount}</td>
                  <td>
                    <input type="checkbox" checked={c.enabled} aria-label={`Enable !${c.name}`} onChange={(e) => change.run(c.id, { enabled: e.currentTarget.checked })} />
                  </td>
                  <td>
                    <button class="button" type="button" onClick={() => remove.run(c.id)}>
                      Delete
                    </button>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Show>
    </div>
  );
}

function TimersTab(props: { tenantId: string }) {
  const bot = createAsync(() => getChatBot(props.tenantId));
  const [name, setName] = createSignal("");
  const [message, setMessage] = createSignal("");
  const [intervalMinutes, setIntervalMinutes] = createSignal(15);
  const [minLines, setMinLines] = createSignal(5);
  const create = createMutation(() => createChatTimer(props.tenantId, { name: name(), message: message(), intervalMinutes: intervalMinutes(), minLines: minLines(), platforms: [...PLATFORMS], enabled: true }), () => [getChatBot.key]);
  const toggle = createMutation((id: string, enabled: boolean) => updateChatTimer(props.tenantId, id, { enabled }), () => [getChatBot.key]);
  const remove = createMutation((id: string) => deleteChatTimer(props.tenantId, id), () => [getChatBot.key]);
  return (
    <div class="stack">
      <form
        class="card stack"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await create.run()) {
            setName("");
            setMessage("");
          }
        }}
      >
        <h2>New timer</h2>
        <div class="row wrap">
          <label>
            Name <input required value={name()} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label>
            Every (minutes) <input type="number" min="1" max="1440" value={intervalMinutes()} onInput={(e) => setIntervalMinutes(Number(e.currentTarget.value))} />
          </label>
          <label>
            After chat lines <input type="number" min="0" max="10000" value={minLines()} onInput={(e) => setMinLines(Number(e.currentTarget.value))} />
          </label>
        </div>
        <label>
          Message <textarea required maxLength={500} value={message()} onInput={(e) => setMessage(e.currentTarget.value)} />
        </label>
        <div class="row">
          <button class="button primary" type="submit" disabled={create.pending()}>
            Add timer
          </button>
          <Show when={create.error()}>{(err) => <InlineError error={err()} />}</Show>
        </div>
      </form>
      <Show when={(bot()?.timers.length ?? 0) > 0} fallback={<EmptyState title="No timers yet">A timer posts only when chat has moved since its last post.</EmptyState>}>
        <ul class="list">
          <For each={bot()?.timers ?? []}>
            {(t) => (
              <li class="row">
                <strong>{t.name}</strong>
                <span class="grow">{t.message}</span>
                <span class="muted">
                  every {t.intervalMinutes} min, after {t.minLines} lines
                </span>
                <input type="checkbox" checked={t.enabled} aria-label={`Enable ${t.name}`} onChange={(e) => toggle.run(t.id, e.currentTarget.checked)} />
                <button class="button" type="button" onClick={() => remove.run(t.id)}>
                  Delete
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}

function ModerationTab(props: { tenantId: string }) {
  const bot = createAsync(() => getChatBot(props.tenantId));
  return <Show when={bot()}>{(b) => <ModerationForm tenantId={props.tenantId} initial={b().antiSpam} />}</Show>;
}

function ModerationForm(props: { tenantId: string; initial: AntiSpamSettings }) {
  const [s, setS] = createSignal<AntiSpamSettings>(structuredClone(props.initial));
  const save = createMutation(() => saveAntiSpam(props.tenantId, s()), () => [getChatBot.key]);
  const edit = (change: (draft: AntiSpamSettings) => void) => {
    const next = structuredClone(s());
    change(next);
    setS(next);
  };
  const toggle = (key: "links" | "caps" | "repeats" | "symbols" | "emotes" | "zalgo" | "length" | "bannedWords", label: string) => (
    <label class="row">
      <input type="checkbox" checked={s()[key].enabled} onChange={(e) => edit((d) => (d[key].enabled = e.currentTarget.checked))} /> {label}
    </label>
  );
  return (
    <form
      class="card stack"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <label class="row">
        <input type="checkbox" checked={s().enabled} onChange={(e) => edit((d) => (d.enabled = e.currentTarget.checked))} /> Anti-spam on
      </label>
      <fieldset class="stack">
        <legend>Rules</legend>
        {toggle("links", "Links (allowlist and !permit)")}
        <label>
          Allowed domains <input value={s().links.allowedDomains.join(", ")} placeholder="clips.twitch.tv, youtube.com" onChange={(e) => edit((d) => (d.links.allowedDomains = lines(e.currentTarget.value)))} />
        </label>
        {toggle("caps", "Caps (emotes are not counted)")}
        <label>
          Max caps share (%) <input type="number" min="10" max="100" value={Math.round(s().caps.maxRatio * 100)} onInput={(e) => edit((d) => (d.caps.maxRatio = Number(e.currentTarget.value) / 100))} />
        </label>
        {toggle("repeats", "Repeated and near-duplicate messages")}
        {toggle("symbols", "Symbol floods")}
        {toggle("emotes", "Emote floods")}
        {toggle("zalgo", "Zalgo text")}
        {toggle("length", "Message length")}
        {toggle("bannedWords", "Banned words and patterns")}
        <label>
          Banned words (one per line) <textarea value={s().bannedWords.words.join("\n")} onChange={(e) => edit((d) => (d.bannedWords.words = lines(e.currentTarget.value)))} />
        </label>
        <label>
          Patterns (safe regular expressions, one per line) <textarea value={s().bannedWords.patterns.join("\n")} onChange={(e) => edit((d) => (d.bannedWords.patterns = e.currentTarget.value.split("\n").map((l) => l.trim()).filter(Boolean)))} />
        </label>
      </fieldset>
      <fieldset class="stack">
        <legend>Exempt</legend>
        <div class="row">
          <For each={["broadcaster", "moderator", "vip", "subscriber"] as const}>
            {(role) => (
              <label class="row">
                <input type="checkbox" checked={s().exemptRoles.includes(role)} onChange={(e) => edit((d) => (d.exemptRoles = e.currentTarget.checked ? [...d.exemptRoles, role] : d.exemptRoles.filter((r) => r !== role)))} /> {role}
              </label>
            )}
          </For>
        </div>
      </fieldset>
      <p class="muted small">
        Escalation: {s().escalation.map((step, i) => `${i + 1}. ${step.action === "timeout" ? `timeout ${step.seconds} s` : step.action}`).join(" → ")} (strikes count for {Math.round(s().strikeMemorySeconds / 60)} min)
      </p>
      <div class="row">
        <button class="button primary" type="submit" disabled={save.pending()}>
          Save
        </button>
        <Show when={save.error()}>{(err) => <InlineError error={err()} />}</Show>
      </div>
    </form>
  );
}

function LogTab(props: { tenantId: string }) {
  const [filters, setFilters] = createSignal<LogFilters>({ platform: "", rule: "", action: "", user: "" });
  const log = createAsync(() => getModerationLog(props.tenantId, JSON.stringify(filters())));
  const pick = (key: keyof LogFilters, options: readonly string[], label: string) => (
    <label>
      {label}
      <select value={filters()[key]} onChange={(e) => setFilters({ ...filters(), [key]: e.currentTarget.value })}>
        <option value="">all</option>
        <For each={options}>{(o) => <option value={o}>{o}</option>}</For>
      </select>
    </label>
  );
  return (
    <div class="stack">
      <div class="row wrap">
        {pick("platform", PLATFORMS, "Platform")}
        {pick("rule", RULES, "Rule")}
        {pick("action", ["delete", "warn", "timeout"], "Action")}
        <label>
          User <input value={filters().user} onChange={(e) => setFilters({ ...filters(), user: e.currentTarget.value })} />
        </label>
      </div>
      <Show when={(log()?.entries.length ?? 0) > 0} fallback={<EmptyState title="Nothing moderated">Actions the bot takes show up here.</EmptyState>}>
        <table class="table" data-testid="moderation-log">
          <thead>
            <tr>
              <th>When</th>
              <th>User</th>
              <th>Rule</th>
              <th>Action</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            <For each={log()?.entries ?? []}>
              {(e) => (
                <tr>
                  <td>{new Date(e.createdAt).toLocaleString()}</td>
                  <td>
                    {e.userName} <span class="muted small">({e.platform})</span>
                  </td>
                  <td>{e.rule}</td>
                  <td>
                    {e.action}
                    {e.durationSeconds ? ` ${e.durationSeconds} s` : ""} <span class="muted small">strike {e.strike}</span>
                    <Show when={e.error}>{(err) => <div class="muted small">⚠ {err()}</div>}</Show>
                  </td>
                  <td>{e.excerpt}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Show>
    </div>
  );
}
