// Now Playing (More tools): the Plex webhook that keeps one "Now Playing" message up to date in a channel (its URL is
// the secret, shown once on create and on rotate), what is playing now, and the Lanyard presence of members.
import { createAsync, revalidate } from "@solidjs/router";
import { createSignal, For, Show, untrack } from "solid-js";
import { getAuditPage } from "../../api/client.ts";
import {
  deleteNowPlaying,
  getMemberPresence,
  getNowPlaying,
  type NowPlayingInput,
  type NowPlayingSession,
  type NowPlayingSettingsView,
  rotateNowPlayingUrl,
  saveNowPlaying,
} from "../../api/discord-now-playing.ts";
import { createMutation } from "../../api/mutation.ts";
import { useSession } from "../../session/session.tsx";
import { Badge } from "../../ui/badge.tsx";
import { Boundary, InlineError } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { AlertIcon, StreamIcon, UsersIcon } from "../../ui/icons.tsx";
import { ShownOnce } from "../../ui/shown-once.tsx";
import { fullTime, TimeAgo } from "../../ui/time.tsx";
import { CardError } from "./card-notices.tsx";
import { GuildBoundary } from "./guild-access.tsx";
import { useGuild } from "./guild-context.tsx";
import { ChannelField, channelLabel, type GuildPickers, PickersNote, useGuildPickers } from "./pickers.tsx";

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((l) => l.trim())
    .filter(Boolean);

function clock(ms: number | null): string {
  if (ms === null) return "";
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h ? 2 : 1, "0");
  return `${h ? `${h}:` : ""}${mm}:${String(s % 60).padStart(2, "0")}`;
}

/** The Plex side of the setup, next to the URL it needs. */
function PlexSteps() {
  return (
    <ol class="plex-steps" data-testid="plex-instructions">
      <li>Open Plex Web (app.plex.tv) signed in as the server's owner.</li>
      <li>
        Go to <strong>Settings → Webhooks</strong> (under your account; webhooks need Plex Pass) and press <strong>Add Webhook</strong>.
      </li>
      <li>
        Paste the URL and press <strong>Save Changes</strong>. Start playing something: the message appears in the channel.
      </li>
    </ol>
  );
}

function SettingsForm(props: { current: NowPlayingSettingsView | null; pickers: GuildPickers; onCreated: (url: string) => void }) {
  const scope = useGuild();
  const session = useSession();
  const manage = () => session.can("discord.manage");
  const start = untrack(() => props.current);
  const [channelId, setChannelId] = createSignal(start?.channelId ?? "");
  const [users, setUsers] = createSignal((start?.plexUsers ?? []).join("\n"));
  const [libraries, setLibraries] = createSignal((start?.libraries ?? []).join("\n"));
  const [saved, setSaved] = createSignal(false);
  // Pause/Resume in the card's header switches `enabled`; saving the filters keeps whatever it is then.
  const save = createMutation(
    (input: NowPlayingInput) => saveNowPlaying(scope.tenantId, scope.guildId, input),
    () => [getNowPlaying.keyFor(scope.tenantId, scope.guildId), getAuditPage.key],
  );

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    setSaved(false);
    const done = await save.run({ channelId: channelId(), enabled: props.current?.enabled ?? true, plexUsers: lines(users()), libraries: lines(libraries()) });
    if (!done) return;
    if ("webhookUrl" in done.value) props.onCreated(done.value.webhookUrl);
    else setSaved(true);
  }

  return (
    <form class="stack" onSubmit={submit} data-testid="now-playing-form">
      <fieldset class="stack plain-fieldset" disabled={!manage()}>
        <div class="form-row">
          <ChannelField pickers={props.pickers} name="now-playing-channel" label="Message in" value={channelId()} onChange={setChannelId} testId="now-playing-channel" />
        </div>
        <div class="form-row">
          <label class="field">
            <span>Only these Plex accounts</span>
            <textarea class="input" placeholder={"Everyone\n(or one Plex username per line)"} value={users()} onInput={(e) => setUsers(e.currentTarget.value)} data-testid="now-playing-users" />
          </label>
          <label class="field">
            <span>Only these libraries</span>
            <textarea class="input" placeholder={"All libraries\n(or Movies, TV Shows, Music…)"} value={libraries()} onInput={(e) => setLibraries(e.currentTarget.value)} />
          </label>
        </div>
        <span class="field-hint">Names as Plex shows them, matched without regard to case; at most 50 of each.</span>
      </fieldset>
      <PickersNote pickers={props.pickers} />
      <Show when={save.error()}>{(err) => <InlineError error={err()} />}</Show>
      <Show when={manage()}>
        <div class="form-actions">
          <Show when={saved()}>
            <span class="muted" role="status" data-testid="now-playing-saved">
              Saved.
            </span>
          </Show>
          <button type="submit" class="btn btn-primary" disabled={save.pending() || !channelId()} data-testid="now-playing-save">
            {save.pending() ? "Saving…" : start ? "Save" : "Turn on Now Playing"}
          </button>
        </div>
      </Show>
    </form>
  );
}

function PlayingNow(props: { sessions: NowPlayingSession[]; updatedAt: number | null }) {
  return (
    <div class="stack chart-panel" data-testid="now-playing-current">
      <div class="chart-head">
        <h3>Playing now</h3>
        <span class="muted">{props.updatedAt ? <TimeAgo iso={new Date(props.updatedAt).toISOString()} /> : "Nothing received from Plex yet"}</span>
      </div>
      <Show when={props.sessions.length > 0} fallback={<span class="faint" data-testid="now-playing-idle">Nothing is playing.</span>}>
        <ul class="result-list">
          <For each={props.sessions}>
            {(s) => (
              <li data-testid="now-playing-session">
                <Badge tone={s.state === "playing" ? "success" : "neutral"}>{s.state}</Badge>
                <span class="grow">
                  <strong>{s.grandparentTitle ? `${s.grandparentTitle} — ${s.title}` : s.title}</strong>
                  <Show when={s.year}> ({s.year})</Show>
                  <div class="faint">
                    {s.account} on {s.player}
                    <Show when={s.library}> · {s.library}</Show>
                    <Show when={s.durationMs}>
                      {" "}
                      · {clock(s.offsetMs)} / {clock(s.durationMs)}
                    </Show>
                  </div>
                </span>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}

function NowPlayingCard() {
  const scope = useGuild();
  const session = useSession();
  const manage = () => session.can("discord.manage");
  const current = createAsync(() => getNowPlaying(scope.tenantId, scope.guildId));
  const pickers = useGuildPickers();
  const [shown, setShown] = createSignal<{ url: string; rotated: boolean }>();
  const touched = () => [getNowPlaying.keyFor(scope.tenantId, scope.guildId), getAuditPage.key];
  const rotate = createConfirmAction(async (_: true) => setShown({ url: (await rotateNowPlayingUrl(scope.tenantId, scope.guildId)).webhookUrl, rotated: true }), touched);
  const remove = createConfirmAction(async (_: true) => {
    await deleteNowPlaying(scope.tenantId, scope.guildId);
    setShown(undefined);
  }, touched);
  const toggle = createMutation(
    (s: NowPlayingSettingsView) => saveNowPlaying(scope.tenantId, scope.guildId, { channelId: s.channelId, enabled: !s.enabled, plexUsers: s.plexUsers, libraries: s.libraries }),
    touched,
  );

  return (
    <>
      <Card
        title="Now Playing from Plex"
        testId="now-playing-card"
        description="Plex tells the bot what is playing; one message in the channel is edited in place. /nowplaying shows it too."
        actions={
          <Show when={current()}>
            {(s) => (
              <div class="header-actions">
                <Badge tone={s().enabled ? "success" : "neutral"} testId="now-playing-state">
                  {s().enabled ? "on" : "paused"}
                </Badge>
                <Show when={manage()}>
                  <button type="button" class="btn btn-sm" disabled={toggle.pending()} onClick={() => void toggle.run(s())} data-testid="now-playing-toggle">
                    {s().enabled ? "Pause" : "Resume"}
                  </button>
                  <button type="button" class="btn btn-sm btn-ghost-danger" onClick={() => rotate.ask(true)} data-testid="now-playing-rotate">
                    Rotate URL
                  </button>
                  <button type="button" class="btn btn-sm btn-ghost-danger" onClick={() => remove.ask(true)} data-testid="now-playing-delete">
                    Turn off
                  </button>
                </Show>
              </div>
            )}
          </Show>
        }
      >
        <Show when={shown()}>
          {(s) => (
            <div class="card-body stack">
              <ShownOnce
                tone="warning"
                title={
                  <>
                    <AlertIcon size={14} /> {s().rotated ? "New webhook URL" : "Webhook URL"}: copy it now
                  </>
                }
                value={s().url}
                label="Plex webhook URL"
                testId="now-playing-url-shown"
                valueTestId="now-playing-url"
                dismissLabel="I've added it to Plex"
                onDismiss={() => setShown(undefined)}
              >
                The URL is the secret (Plex does not sign its webhooks): it is shown this once.
                {s().rotated ? " The old URL stopped working; replace it in Plex." : ""}
              </ShownOnce>
              <PlexSteps />
            </div>
          )}
        </Show>
        <CardError error={toggle.error()} />
        <Show
          when={current()}
          fallback={
            <div class="card-body stack">
              <EmptyState icon={<StreamIcon size={20} />} title="Now Playing isn't set up" testId="now-playing-empty">
                {manage()
                  ? "Choose the channel for the message and turn it on: you get a webhook URL to paste into Plex."
                  : "An admin sets up the Plex webhook for this server here."}
              </EmptyState>
              <Show when={manage()}>
                <SettingsForm current={null} pickers={pickers} onCreated={(url) => setShown({ url, rotated: false })} />
              </Show>
            </div>
          }
        >
          {(s) => (
            <div class="card-body stack">
              <div class="muted" data-testid="now-playing-summary">
                Posts in <span class="mono">{channelLabel(pickers, s().channelId)}</span>. Webhook URL made{" "}
                <span title={fullTime(s().tokenCreatedAt)}>
                  <TimeAgo iso={s().tokenCreatedAt} />
                </span>{" "}
                (shown only when made; rotate it to get a new one).
              </div>
              <PlayingNow sessions={s().current.sessions} updatedAt={s().current.updatedAt} />
              <SettingsForm current={s()} pickers={pickers} onCreated={(url) => setShown({ url, rotated: false })} />
            </div>
          )}
        </Show>
      </Card>
      <ConfirmActionDialog
        action={rotate}
        title="Rotate the webhook URL?"
        message={() => <>A new URL is made and shown once. The current one stops working at once: Plex's events are refused until you paste the new URL in Plex.</>}
        confirmLabel="Rotate URL"
      />
      <ConfirmActionDialog
        action={remove}
        title="Turn off Now Playing?"
        message={() => <>The webhook URL stops working and the settings are deleted. The last message stays in the channel. You can set it up again later, with a new URL.</>}
        confirmLabel="Turn off"
      />
    </>
  );
}

const ACTIVITY: Record<number, string> = { 0: "Playing", 1: "Streaming", 2: "Listening to", 3: "Watching", 5: "Competing in" };

function PresenceCard() {
  const scope = useGuild();
  const presence = createAsync(() => getMemberPresence(scope.tenantId));
  return (
    <Card
      title="Member presence"
      testId="presence-card"
      description="Through Lanyard: the Discord status and activity of this tenant's members who signed in with Discord."
      actions={
        <button type="button" class="btn btn-sm" onClick={() => revalidate(getMemberPresence.keyFor(scope.tenantId))}>
          Refresh
        </button>
      }
    >
      <Show
        when={(presence()?.items.length ?? 0) > 0}
        fallback={
          <EmptyState icon={<UsersIcon size={20} />} title="No presence to show" testId="presence-empty">
            Members appear here once they sign in with Discord and join Lanyard's Discord server (discord.gg/lanyard), which shares their presence.
          </EmptyState>
        }
      >
        <div class="card-body">
        <ul class="result-list" data-testid="presence-list">
          <For each={presence()?.items}>
            {(p) => (
              <li data-testid="presence-row">
                <span class={`presence-dot ${p.status ?? ""}`} title={p.status ?? "unknown"} />
                <span class="grow">
                  <strong>{p.name}</strong>
                  <div class="faint">
                    <Show when={p.monitored} fallback="Not in Lanyard's server: presence unknown">
                      <Show when={p.spotify} fallback={p.activities.filter((a) => a.type !== 4).map((a) => `${ACTIVITY[a.type] ?? ""} ${a.name}`.trim()).join(" · ") || (p.status ?? "offline")}>
                        {(s) => (
                          <>
                            Listening to {s().song} by {s().artist}
                          </>
                        )}
                      </Show>
                    </Show>
                  </div>
                </span>
              </li>
            )}
          </For>
        </ul>
        </div>
      </Show>
      <Show when={presence()?.unlinked}>
        {(n) => (
          <div class="card-body faint">
            {n()} member{n() === 1 ? " has" : "s have"} not linked a Discord account.
          </div>
        )}
      </Show>
    </Card>
  );
}

export default function NowPlayingTab() {
  return (
    <div class="stack" data-testid="discord-now-playing">
      <GuildBoundary>
        <NowPlayingCard />
      </GuildBoundary>
      <Boundary>
        <PresenceCard />
      </Boundary>
    </div>
  );
}
