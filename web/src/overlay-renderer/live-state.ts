// What an overlay shows besides its document: the alert playing now (alerts queue and play one at a time for their
// duration), chat lines, recent events, goal progress and now playing, all fed by the room's numbered events.
import type { AlertEvent, ChatEvent, HelloFrame, LayerOf, NowPlayingEvent, OverlayDocument, OverlayEvent } from "@nebula/schema/wire/overlay";
import { type Accessor, createSignal, onCleanup } from "solid-js";

export interface PlayingAlert {
  seq: number;
  event: AlertEvent;
}

export interface ChatLine {
  seq: number;
  event: ChatEvent;
  receivedAt: number;
}

export type Track = NonNullable<NowPlayingEvent["track"]> & {
  /** Epoch ms (this page's clock) at which `progressMs` was true; the progress runs on from there while playing. */
  anchor: number;
};

/** Where a track stands at `now`: its reported position plus the time since, while it plays; never past its end. */
export function trackProgress(track: Track, now: number): number | null {
  if (track.progressMs === null) return null;
  const ms = track.progressMs + (track.isPlaying ? Math.max(0, now - track.anchor) : 0);
  return track.durationMs === null ? ms : Math.min(ms, track.durationMs);
}

export interface LiveState {
  playing: Accessor<PlayingAlert | null>;
  chat: Accessor<ChatLine[]>;
  /** Newest first. */
  recent: Accessor<AlertEvent[]>;
  goal(layerId: string): number | undefined;
  nowPlaying(source: NowPlayingEvent["source"]): Track | null;
  /** A clock for fading chat lines, ticking once a second. */
  now: Accessor<number>;
  /** Sequence numbers of the alerts played, in order (the page exposes them for tests and debugging). */
  played: Accessor<number[]>;
}

const KEEP_CHAT = 50;
const KEEP_RECENT = 25;

/** How long an alert of this kind plays: the longest of the alert boxes that show it, or 0 when none does. */
export function alertDuration(document: OverlayDocument | undefined, kind: AlertEvent["kind"]): number {
  let longest = 0;
  for (const layer of document?.layers ?? []) {
    if (layer.type !== "alert-box" || !layer.visible) continue;
    const style = layer.alerts[kind];
    if (style?.enabled) longest = Math.max(longest, style.durationMs);
  }
  return longest;
}

/** The newest lines a chat box shows: viewers' !commands and the bot's own lines only when the layer asks for them. */
export function visibleChat(lines: readonly ChatLine[], layer: Pick<LayerOf<"chat-box">, "maxLines" | "showCommands" | "showBotLines">): ChatLine[] {
  const shown = lines.filter((line) => (layer.showBotLines || !line.event.bot) && (layer.showCommands || !line.event.text.trimStart().startsWith("!")));
  return shown.slice(-layer.maxLines);
}

/** A state that only shows the document (the editor's preview before any event). */
export function idleLiveState(): LiveState {
  return { playing: () => null, chat: () => [], recent: () => [], goal: () => undefined, nowPlaying: () => null, now: () => Date.now(), played: () => [] };
}

export function createLiveState(document: Accessor<OverlayDocument | undefined>) {
  const [playing, setPlaying] = createSignal<PlayingAlert | null>(null);
  const [chat, setChat] = createSignal<ChatLine[]>([]);
  const [recent, setRecent] = createSignal<AlertEvent[]>([]);
  const [goals, setGoals] = createSignal<Record<string, number>>({});
  const [tracks, setTracks] = createSignal<Partial<Record<NowPlayingEvent["source"], Track | null>>>({});
  const [now, setNow] = createSignal(Date.now());
  const [played, setPlayed] = createSignal<number[]>([]);
  const queue: PlayingAlert[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const clock = setInterval(() => setNow(Date.now()), 1000);
  onCleanup(() => {
    clearInterval(clock);
    clearTimeout(timer);
  });

  function playNext(): void {
    timer = undefined;
    setPlaying(null);
    for (let next = queue.shift(); next; next = queue.shift()) {
      const duration = alertDuration(document(), next.event.kind);
      if (duration === 0) continue; // no alert box shows this kind
      setPlaying(next);
      setPlayed((p) => [...p, next.seq]);
      timer = setTimeout(playNext, duration);
      return;
    }
  }

  /** A live event is anchored at its arrival (no clock skew with the server); an old one at its own time. */
  function setTrack(event: NowPlayingEvent, live: boolean): void {
    const track = event.track ? { ...event.track, anchor: live ? Date.now() : Date.parse(event.at) } : null;
    setTracks((t) => ({ ...t, [event.source]: track }));
  }

  /** The room's state as of hello: goal values and what plays; the replay after it only moves them forward. */
  function seed(hello: HelloFrame): void {
    if (hello.goals) setGoals((g) => ({ ...g, ...hello.goals }));
    for (const event of hello.nowPlaying ?? []) setTrack(event, false);
  }

  /** `history`: an event from before this renderer first connected; it fills lists but never plays. */
  function apply(seq: number, event: OverlayEvent, history: boolean): void {
    switch (event.type) {
      case "alert":
        setRecent((r) => [event, ...r].slice(0, KEEP_RECENT));
        if (!history) {
          queue.push({ seq, event });
          if (timer === undefined) playNext();
        }
        return;
      case "chat":
        setChat((c) => [...c, { seq, event, receivedAt: history ? 0 : Date.now() }].slice(-KEEP_CHAT));
        return;
      case "goal":
        setGoals((g) => ({ ...g, [event.layerId]: event.current }));
        return;
      case "now-playing":
        setTrack(event, !history);
        return;
    }
  }

  const state: LiveState = {
    playing,
    chat,
    recent,
    goal: (layerId) => goals()[layerId],
    nowPlaying: (source) => tracks()[source] ?? null,
    now,
    played,
  };
  return { state, apply, seed };
}
