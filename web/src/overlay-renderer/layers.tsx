// How each kind of layer looks, shared by the OBS renderer and the editor's canvas (which shows the same components,
// so what the streamer designs is what OBS shows). Positions are canvas pixels (1920×1080); the stage scales.
import type { AlertEvent, LayerOf, OverlayLayer } from "@nebula/schema/wire/overlay";
import { For, type JSX, Match, Show, Switch } from "solid-js";
import { type LiveState, type Track, trackProgress, visibleChat } from "./live-state.ts";
import { eventLine, fillTemplate, sampleAlert } from "./template.ts";

/** Where a layer sits; `children` is what it shows. */
export function layerBoxStyle(layer: OverlayLayer): JSX.CSSProperties {
  return {
    left: `${layer.x}px`,
    top: `${layer.y}px`,
    width: `${layer.w}px`,
    height: `${layer.h}px`,
    opacity: layer.opacity,
    transform: layer.rotation ? `rotate(${layer.rotation}deg)` : undefined,
    "z-index": layer.z,
  };
}

const textStyle = (l: { font: string; size: number; colour: string }): JSX.CSSProperties => ({
  "font-family": l.font,
  "font-size": `${l.size}px`,
  color: l.colour,
});

/** `preview`: the editor's canvas, which shows sample content where a live overlay would be empty. */
export function LayerContent(props: { layer: OverlayLayer; live: LiveState; preview: boolean }) {
  return (
    <Switch>
      <Match when={props.layer.type === "text" && (props.layer as LayerOf<"text">)}>{(l) => <TextContent layer={l()} />}</Match>
      <Match when={props.layer.type === "image" && (props.layer as LayerOf<"image">)}>{(l) => <ImageContent layer={l()} preview={props.preview} />}</Match>
      <Match when={props.layer.type === "alert-box" && (props.layer as LayerOf<"alert-box">)}>
        {(l) => <AlertBoxContent layer={l()} live={props.live} preview={props.preview} />}
      </Match>
      <Match when={props.layer.type === "chat-box" && (props.layer as LayerOf<"chat-box">)}>
        {(l) => <ChatBoxContent layer={l()} live={props.live} preview={props.preview} />}
      </Match>
      <Match when={props.layer.type === "event-list" && (props.layer as LayerOf<"event-list">)}>
        {(l) => <EventListContent layer={l()} live={props.live} preview={props.preview} />}
      </Match>
      <Match when={props.layer.type === "goal-bar" && (props.layer as LayerOf<"goal-bar">)}>{(l) => <GoalBarContent layer={l()} live={props.live} />}</Match>
      <Match when={props.layer.type === "now-playing" && (props.layer as LayerOf<"now-playing">)}>{(l) => <NowPlayingContent layer={l()} live={props.live} preview={props.preview} />}</Match>
    </Switch>
  );
}

function TextContent(props: { layer: LayerOf<"text"> }) {
  return (
    <div class="ov-text" classList={{ "ov-shadow": props.layer.shadow }} style={{ ...textStyle(props.layer), "text-align": props.layer.align }}>
      {props.layer.content}
    </div>
  );
}

function ImageContent(props: { layer: LayerOf<"image">; preview: boolean }) {
  return (
    <Show when={props.layer.url} fallback={<Show when={props.preview}><div class="ov-placeholder">Image: set a URL</div></Show>}>
      {(url) => <img class="ov-image" src={url()} alt="" style={{ "object-fit": props.layer.fit }} />}
    </Show>
  );
}

function AlertBoxContent(props: { layer: LayerOf<"alert-box">; live: LiveState; preview: boolean }) {
  /** The alert to show: the playing one if this box shows its kind; in the editor, a sample of the first kind. */
  const shown = (): { event: AlertEvent; seq: number | null } | null => {
    const playing = props.live.playing();
    if (playing && props.layer.alerts[playing.event.kind]?.enabled) return playing;
    if (!props.preview) return null;
    const kind = (Object.keys(props.layer.alerts) as AlertEvent["kind"][]).find((k) => props.layer.alerts[k]?.enabled);
    return kind ? { event: sampleAlert(kind), seq: null } : null;
  };
  return (
    <Show when={shown()} keyed fallback={<Show when={props.preview}><div class="ov-placeholder">Alert box: enable an event type</div></Show>}>
      {(alert) => {
        const style = props.layer.alerts[alert.event.kind];
        return (
          <Show when={style}>
            {(s) => (
              <div class="ov-alert ov-shadow" data-testid="overlay-alert" data-kind={alert.event.kind} data-seq={alert.seq ?? undefined} style={textStyle(props.layer)}>
                <Show when={s().imageUrl}>{(src) => <img class="ov-alert-image" src={src()} alt="" />}</Show>
                <div class="ov-alert-text">{fillTemplate(s().template, alert.event)}</div>
                <Show when={alert.event.message && s().template.includes("{message}") === false}>
                  <div class="ov-alert-message">{alert.event.message}</div>
                </Show>
                <Show when={!props.preview && s().soundUrl}>
                  {(src) => (
                    // biome-ignore lint/a11y/useMediaCaption: an alert's sound effect has no words to caption
                    <audio
                      src={src()}
                      autoplay
                      ref={(el) => {
                        el.volume = s().volume;
                      }}
                    />
                  )}
                </Show>
              </div>
            )}
          </Show>
        );
      }}
    </Show>
  );
}

const SAMPLE_CHAT = [
  { user: "nightowl", text: "hype!!", colour: "#a78bfa" },
  { user: "pixelpusher", text: "that overlay looks clean", colour: "#34d399" },
  { user: "TestViewer", text: "hello chat", colour: null },
];

function ChatBoxContent(props: { layer: LayerOf<"chat-box">; live: LiveState; preview: boolean }) {
  const lines = () => {
    const live = props.live.chat();
    if (live.length === 0 && props.preview) return SAMPLE_CHAT.map((event, i) => ({ key: i, user: event.user, text: event.text, colour: event.colour, faded: false }));
    const fadeMs = props.layer.fadeAfterSeconds * 1000;
    return visibleChat(live, props.layer).map((line) => ({
      key: line.seq,
      user: line.event.user,
      text: line.event.text,
      colour: line.event.colour,
      faded: fadeMs > 0 && props.live.now() - line.receivedAt > fadeMs,
    }));
  };
  return (
    <div class="ov-chat" style={textStyle(props.layer)}>
      <For each={lines()}>
        {(line) => (
          <div class="ov-chat-line" classList={{ "ov-faded": line.faded }} data-testid="overlay-chat-line">
            <span class="ov-chat-user" style={{ color: line.colour ?? undefined }}>
              {line.user}
            </span>{" "}
            {line.text}
          </div>
        )}
      </For>
    </div>
  );
}

function EventListContent(props: { layer: LayerOf<"event-list">; live: LiveState; preview: boolean }) {
  const items = () => {
    const kinds = new Set(props.layer.kinds);
    const live = props.live.recent().filter((e) => kinds.has(e.kind));
    const shown = live.length === 0 && props.preview ? props.layer.kinds.map((kind) => sampleAlert(kind)) : live;
    return shown.slice(0, props.layer.count);
  };
  return (
    <div class="ov-events ov-shadow" style={textStyle(props.layer)}>
      <For each={items()}>{(event) => <div class="ov-event" data-testid="overlay-event">{eventLine(event)}</div>}</For>
    </div>
  );
}

function GoalBarContent(props: { layer: LayerOf<"goal-bar">; live: LiveState }) {
  const current = () => props.live.goal(props.layer.id) ?? props.layer.current;
  const percent = () => Math.max(0, Math.min(100, (current() / props.layer.target) * 100));
  return (
    <div class="ov-goal" style={{ background: props.layer.backgroundColour, color: props.layer.textColour }}>
      <div class="ov-goal-fill" data-testid="overlay-goal-fill" data-current={current()} style={{ width: `${percent()}%`, background: props.layer.barColour }} />
      <div class="ov-goal-label" data-testid="overlay-goal">
        {props.layer.label} {current()} / {props.layer.target}
      </div>
    </div>
  );
}

/** What the editor's canvas shows in a now-playing layer before anything plays. */
const SAMPLE_TRACK: Track = { title: "Song title", artist: "Artist", album: "Album", artUrl: null, isPlaying: true, progressMs: 72_000, durationMs: 200_000, anchor: 0 };

const clock = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};

function NowPlayingContent(props: { layer: LayerOf<"now-playing">; live: LiveState; preview: boolean }) {
  const track = () => props.live.nowPlaying(props.layer.source) ?? (props.preview ? SAMPLE_TRACK : null);
  return (
    <div class="ov-now-playing ov-shadow" data-testid="overlay-now-playing" style={textStyle(props.layer)}>
      <Show when={track()} fallback={<span class="ov-muted">♪ Nothing playing</span>}>
        {(t) => {
          // The editor's sample stands still; a live track runs on from its anchor while it plays.
          const progress = () => (props.preview && t() === SAMPLE_TRACK ? t().progressMs : trackProgress(t(), props.live.now()));
          const percent = () => {
            const p = progress();
            const d = t().durationMs;
            return p === null || !d ? 0 : Math.min(100, (p / d) * 100);
          };
          return (
            <>
              <Show when={t().artUrl} fallback={<div class="ov-art ov-art-empty">♪</div>}>
                {(src) => <img class="ov-art" data-testid="overlay-np-art" src={src()} alt="" />}
              </Show>
              <div class="ov-np-text" data-playing={t().isPlaying ? "true" : "false"}>
                <div class="ov-np-title" data-testid="overlay-np-title">
                  {t().isPlaying ? "" : "❚❚ "}
                  {t().title}
                </div>
                <div class="ov-np-artist" data-testid="overlay-np-artist">
                  {t().artist}
                  {t().album ? ` · ${t().album}` : ""}
                </div>
                <Show when={t().requestedBy}>
                  {(name) => (
                    <div class="ov-np-requester" data-testid="overlay-np-requester">
                      requested by {name()}
                    </div>
                  )}
                </Show>
                <Show when={t().durationMs}>
                  {(duration) => (
                    <div class="ov-np-progress">
                      <div class="ov-np-bar">
                        <div class="ov-np-fill" data-testid="overlay-np-progress" style={{ width: `${percent()}%` }} />
                      </div>
                      <span class="ov-np-time">
                        {clock(progress() ?? 0)} / {clock(duration())}
                      </span>
                    </div>
                  )}
                </Show>
              </div>
            </>
          );
        }}
      </Show>
    </div>
  );
}
