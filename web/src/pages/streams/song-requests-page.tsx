// /streams/song-requests: the YouTube song-request queue. Now playing with an embedded player, skip to the next song,
// the waiting songs (move up/down, remove after a confirmation), add by link, what played, and the rules (admins).
// Viewers request with !sr in chat; an overlay's now-playing layer with source "YouTube" shows the current song.
import { createAsync, revalidate } from "@solidjs/router";
import { createEffect, createSignal, onCleanup, Show } from "solid-js";
import { createMutation } from "../../api/mutation.ts";
import {
  addSongRequest,
  clearSongQueue,
  getSongQueue,
  moveSongRequest,
  removeSongRequest,
  type SongQueueView,
  type SongRequestSettings,
  type SongRequestView,
  saveSongRequestSettings,
  skipSong,
  YOUTUBE_EMBED_BASE,
} from "../../api/streams-song-requests.ts";
import { useSession } from "../../session/session.tsx";
import { Badge } from "../../ui/badge.tsx";
import { Boundary, InlineError, Loading } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { ConfirmActionButton, ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ListIcon } from "../../ui/icons.tsx";
import { ListTable } from "../../ui/table.tsx";
import { TimeAgo } from "../../ui/time.tsx";
import "./song-requests.css";
import { StreamsNav } from "./streams-nav.tsx";

const length = (seconds: number) => {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
};
const SOURCE_LABELS: Record<SongRequestView["requestedBy"]["platform"], string> = { twitch: "Twitch", youtube: "YouTube", kick: "Kick", dashboard: "Dashboard" };
const STATUS_TONES: Record<SongRequestView["status"], "success" | "neutral" | "warning"> = { queued: "neutral", playing: "success", played: "neutral", skipped: "warning", removed: "warning" };
const watchUrl = (videoId: string) => `https://www.youtube.com/watch?v=${encodeURIComponent(videoId)}`;

export default function SongRequestsPage() {
  const session = useSession();
  const tenantId = () => session.tenant()?.id ?? "";
  return (
    <div class="page" data-testid="song-requests-page">
      <div class="page-header">
        <div>
          <h1>Song requests</h1>
          <p>
            Viewers request YouTube songs with <code>!sr &lt;link&gt;</code> in chat; the current song plays here and shows on overlays whose now-playing layer has
            source YouTube.
          </p>
        </div>
      </div>
      <StreamsNav />
      <Show when={tenantId()}>
        <Boundary fallback={<Loading label="Loading the song queue" />}>
          <SongQueue tenantId={tenantId()} />
        </Boundary>
      </Show>
    </div>
  );
}

/** Chat adds songs and the server moves on when one ends: the page reads the queue again this often. */
const REFRESH_MS = 15_000;
/** The server starts the next song a few seconds after the end (its grace); the page looks just after that. */
const AFTER_END_MS = 6_000;

function SongQueue(props: { tenantId: string }) {
  const queue = createAsync(() => getSongQueue(props.tenantId));
  const refresh = () => void revalidate(getSongQueue.keyFor(props.tenantId));
  const every = setInterval(refresh, REFRESH_MS);
  onCleanup(() => clearInterval(every));
  createEffect(() => {
    const playing = queue()?.playing;
    if (!playing?.startedAt) return;
    const wait = Date.parse(playing.startedAt) + playing.durationSeconds * 1000 + AFTER_END_MS - Date.now();
    // Never sooner than 5 s: a song past its end that the server has not moved on from yet is not asked about in a loop.
    const atEnd = setTimeout(refresh, Math.max(5_000, wait));
    onCleanup(() => clearTimeout(atEnd));
  });
  return (
    <Show when={queue()}>
      {(q) => (
        <div class="stack">
          <NowPlaying tenantId={props.tenantId} queue={q()} />
          <Waiting tenantId={props.tenantId} queue={q()} />
          <History queue={q()} />
          <SettingsForm tenantId={props.tenantId} initial={q().settings} />
        </div>
      )}
    </Show>
  );
}

function NowPlaying(props: { tenantId: string; queue: SongQueueView }) {
  const session = useSession();
  const touched = () => [getSongQueue.keyFor(props.tenantId)];
  const skip = createMutation(() => skipSong(props.tenantId), touched);
  const run = () => session.can("songrequests.queue");
  return (
    <Card
      title="Now playing"
      description="The song plays here; when it ends the next one starts on its own. Keep this page open while you stream to hear the requests."
      actions={
        <Show when={run() && (props.queue.playing || props.queue.queue.length > 0)}>
          <button type="button" class="btn" disabled={skip.pending()} onClick={() => skip.run()} data-testid="song-skip">
            {props.queue.playing ? "Skip" : "Play next"}
          </button>
        </Show>
      }
      testId="song-now-playing"
    >
      <div class="card-body">
        <Show when={skip.error()}>{(err) => <InlineError error={err()} />}</Show>
        <Show
          when={props.queue.playing}
          fallback={
            <EmptyState icon={<ListIcon size={20} />} title="Nothing is playing" testId="song-nothing-playing">
              {props.queue.queue.length > 0 ? "Press Play next to start the queue." : "The next request starts playing as soon as it arrives."}
            </EmptyState>
          }
        >
          {(song) => (
            <div class="song-now">
              {/* Keyed on the song: a new song loads a new player. Offline (or blocked), the frame just stays empty. */}
              <Show when={song().id} keyed>
                {(_id) => (
                  <iframe
                    class="song-player"
                    src={`${YOUTUBE_EMBED_BASE}${encodeURIComponent(song().videoId)}?autoplay=1`}
                    title={`YouTube player: ${song().title}`}
                    allow="autoplay; encrypted-media; picture-in-picture"
                    referrerPolicy="strict-origin-when-cross-origin"
                    data-testid="song-player"
                  />
                )}
              </Show>
              <div class="song-now-text">
                <a class="song-title" href={watchUrl(song().videoId)} target="_blank" rel="noreferrer" data-testid="song-playing-title">
                  {song().title}
                </a>
                <div class="faint">
                  {song().channelTitle} · {length(song().durationSeconds)}
                </div>
                <div class="faint">
                  Requested by {song().requestedBy.name} ({SOURCE_LABELS[song().requestedBy.platform]})
                  <Show when={song().startedAt}>{(at) => <> · started <TimeAgo iso={at()} /></>}</Show>
                </div>
              </div>
            </div>
          )}
        </Show>
      </div>
    </Card>
  );
}

function Waiting(props: { tenantId: string; queue: SongQueueView }) {
  const session = useSession();
  const touched = () => [getSongQueue.keyFor(props.tenantId)];
  const [link, setLink] = createSignal("");
  const add = createMutation((video: string) => addSongRequest(props.tenantId, video), touched);
  const move = createMutation((id: string, position: number) => moveSongRequest(props.tenantId, id, position), touched);
  const clear = createMutation(() => clearSongQueue(props.tenantId), touched);
  const remove = createConfirmAction((song: SongRequestView) => removeSongRequest(props.tenantId, song.id), touched);
  const run = () => session.can("songrequests.queue");
  const count = () => props.queue.queue.length;
  return (
    <Card
      title="Queue"
      description={`${count()} of ${props.queue.settings.queueLimit} songs waiting${props.queue.settings.enabled ? "" : " · requests are closed"}.`}
      actions={
        <Show when={run() && count() > 0}>
          <button type="button" class="btn btn-sm btn-ghost-danger" disabled={clear.pending()} onClick={() => clear.run()} data-testid="song-clear">
            Clear queue
          </button>
        </Show>
      }
      testId="song-queue"
    >
      <Show when={run()}>
        <form
          class="card-body song-add"
          onSubmit={async (e) => {
            e.preventDefault();
            if (await add.run(link().trim())) setLink("");
          }}
          data-testid="song-add-form"
        >
          <label class="field">
            <span>Add a song</span>
            <input class="input" required maxLength={300} value={link()} placeholder="https://www.youtube.com/watch?v=… or youtu.be/…" onInput={(e) => setLink(e.currentTarget.value)} data-testid="song-add-link" />
          </label>
          <div class="form-actions">
            <button class="btn btn-primary" type="submit" disabled={add.pending() || !link().trim()} data-testid="song-add">
              {add.pending() ? "Looking it up…" : "Add"}
            </button>
          </div>
        </form>
        <Show when={add.error() ?? move.error() ?? clear.error()}>
          {(err) => (
            <div class="card-body">
              <InlineError error={err()} />
            </div>
          )}
        </Show>
      </Show>
      <ListTable
        items={props.queue.queue}
        empty={
          <EmptyState icon={<ListIcon size={20} />} title="No songs waiting" testId="song-queue-empty">
            Viewers add songs with !sr and a YouTube link{run() ? ", or paste one above" : ""}.
          </EmptyState>
        }
        columns={["#", "Song", "Length", "Requested by", "Asked"]}
        actions={run()}
        testId="song-queue-list"
      >
        {(song) => {
          const place = () => props.queue.queue.indexOf(song) + 1;
          return (
            <tr data-testid="song-row" data-video={song.videoId}>
              <td class="nowrap">{place()}</td>
              <td>
                <a href={watchUrl(song.videoId)} target="_blank" rel="noreferrer">
                  {song.title}
                </a>
                <div class="faint">{song.channelTitle}</div>
              </td>
              <td class="nowrap">{length(song.durationSeconds)}</td>
              <td class="nowrap">
                {song.requestedBy.name} <span class="faint">({SOURCE_LABELS[song.requestedBy.platform]})</span>
              </td>
              <td class="nowrap">
                <TimeAgo iso={song.requestedAt} />
              </td>
              <Show when={run()}>
                <td class="actions nowrap">
                  <button type="button" class="btn btn-sm" aria-label={`Move ${song.title} up`} disabled={place() === 1 || move.pending()} onClick={() => move.run(song.id, place() - 1)} data-testid="song-up">
                    ↑
                  </button>
                  <button type="button" class="btn btn-sm" aria-label={`Move ${song.title} down`} disabled={place() === count() || move.pending()} onClick={() => move.run(song.id, place() + 1)} data-testid="song-down">
                    ↓
                  </button>
                  <ConfirmActionButton action={remove} row={song} label="Remove" ariaLabel={`Remove ${song.title}`} />
                </td>
              </Show>
            </tr>
          );
        }}
      </ListTable>
      <ConfirmActionDialog action={remove} title="Remove this song?" message={(song) => <>“{song.title}” leaves the queue. Its requester can ask for it again.</>} confirmLabel="Remove" />
    </Card>
  );
}

function History(props: { queue: SongQueueView }) {
  return (
    <Show when={props.queue.history.length > 0}>
      <Card title="Played" description="The last songs that played out, were skipped or removed, newest first.">
        <ListTable items={props.queue.history} empty={<span />} columns={["Song", "Requested by", "Ended", "How"]} testId="song-history">
          {(song) => (
            <tr data-testid="song-history-row">
              <td>
                <a href={watchUrl(song.videoId)} target="_blank" rel="noreferrer">
                  {song.title}
                </a>
              </td>
              <td class="nowrap">{song.requestedBy.name}</td>
              <td class="nowrap">
                <Show when={song.endedAt} fallback="—">
                  {(at) => <TimeAgo iso={at()} />}
                </Show>
              </td>
              <td>
                <Badge tone={STATUS_TONES[song.status]}>{song.status}</Badge>
              </td>
            </tr>
          )}
        </ListTable>
      </Card>
    </Show>
  );
}

function SettingsForm(props: { tenantId: string; initial: SongRequestSettings }) {
  const session = useSession();
  // The form keeps its own copy once read: a save's revalidation does not reset what the admin sees.
  const [s, setS] = createSignal<SongRequestSettings>({ ...props.initial });
  const [saved, setSaved] = createSignal(false);
  const save = createMutation(() => saveSongRequestSettings(props.tenantId, s()), () => [getSongQueue.keyFor(props.tenantId)]);
  const manage = () => session.can("songrequests.manage");
  const edit = (change: Partial<SongRequestSettings>) => {
    setS({ ...s(), ...change });
    setSaved(false);
  };
  const number = (label: string, key: "maxDurationSeconds" | "perUserLimit" | "queueLimit", min: number, max: number, scale = 1) => (
    <label class="field">
      <span>{label}</span>
      <input
        class="input"
        type="number"
        min={min / scale}
        max={max / scale}
        value={s()[key] / scale}
        disabled={!manage()}
        onInput={(e) => {
          const n = e.currentTarget.valueAsNumber;
          if (Number.isFinite(n)) edit({ [key]: Math.round(n * scale) });
        }}
        data-testid={`song-setting-${key}`}
      />
    </label>
  );
  return (
    <Card title="Rules" description={manage() ? "Who may request what. Moderators and the dashboard are not held to the per-viewer limit." : "An admin changes these."}>
      <form
        class="card-body stack"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await save.run()) setSaved(true);
        }}
        data-testid="song-settings-form"
      >
        <label class="check-label">
          <input type="checkbox" checked={s().enabled} disabled={!manage()} onChange={(e) => edit({ enabled: e.currentTarget.checked })} data-testid="song-setting-enabled" /> Requests open
        </label>
        <label class="check-label">
          <input type="checkbox" checked={s().commandsEnabled} disabled={!manage()} onChange={(e) => edit({ commandsEnabled: e.currentTarget.checked })} data-testid="song-setting-commands" /> Chat commands
          (!sr, !song, !skip for moderators, !wrongsong)
        </label>
        <div class="form-row">
          {number("Longest song (minutes)", "maxDurationSeconds", 60, 3 * 3600, 60)}
          {number("Songs waiting per viewer", "perUserLimit", 1, 50)}
          {number("Queue size", "queueLimit", 1, 200)}
        </div>
        <Show when={manage()}>
          <div class="form-actions">
            <button class="btn btn-primary" type="submit" disabled={save.pending()} data-testid="song-settings-save">
              {save.pending() ? "Saving…" : "Save rules"}
            </button>
            <Show when={saved()}>
              <span class="faint" data-testid="song-settings-saved">
                Saved
              </span>
            </Show>
          </div>
        </Show>
        <Show when={save.error()}>{(err) => <InlineError error={err()} />}</Show>
      </form>
    </Card>
  );
}
