// What an overlay shows besides its document: the alert playing now (alerts queue and play one at a time for their
// duration), chat lines, recent events, goal progress and now playing, all fed by the room's numbered events.
import type { AlertEvent, ChatEvent, NowPlayingEvent, OverlayDocument, OverlayEvent } from "@nebula/schema/wire/overlay";
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

export type Track = NonNullable<NowPlayingEvent["track"]>;

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
        setTracks((t) => ({ ...t, [event.source]: event.track }));
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
  return { state, apply };
}
