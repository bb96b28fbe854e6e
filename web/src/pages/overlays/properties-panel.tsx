// The selected layer's properties: position and size, rotation, opacity, then what its type needs (text and font,
// image URL, each alert type's template/image/sound/duration with "send test", chat lines, goal values and what the
// goal counts with its live value, the now-playing source with "Connect Spotify"…).
// Each field commits on change (blur or Enter), so one edit is one undo step.
import type { AlertKind, AlertStyle, GoalMetric, LayerOf, OverlayLayer } from "@nebula/schema/wire/overlay";
import { ALERT_KINDS, ALERT_TEMPLATE_VARIABLES, GOAL_METRICS } from "@nebula/schema/wire/overlay-constants";
import { A, createAsync, revalidate } from "@solidjs/router";
import { createSignal, For, type JSX, Match, Show, Suspense, Switch } from "solid-js";
import { connectSpotify, getOverlayGoals, setOverlayGoal } from "../../api/overlays.ts";
import { getMyConnections } from "../../api/streams-connections.ts";
import { Boundary, InlineError } from "../../ui/boundary.tsx";
import { KIND_LABELS } from "../../overlay-renderer/template.ts";
import { replaceLayer } from "./editor-canvas.tsx";
import type { EditorDocument } from "./editor-history.ts";
import { DEFAULT_TEMPLATES, defaultAlertStyle, LAYER_LABELS } from "./layer-defaults.ts";

type Commit = (change: Partial<OverlayLayer>) => void;

function Field(props: { label: string; children: JSX.Element; wide?: boolean }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child passed in, wrapped by the label
    <label class="field ov-field" classList={{ wide: props.wide }}>
      <span>{props.label}</span>
      {props.children}
    </label>
  );
}

function NumberInput(props: { label: string; value: number; min?: number; max?: number; step?: number; onCommit: (v: number) => void; testId?: string }) {
  return (
    <Field label={props.label}>
      <input
        class="input"
        type="number"
        data-testid={props.testId}
        value={Math.round(props.value * 100) / 100}
        min={props.min}
        max={props.max}
        step={props.step ?? 1}
        onChange={(e) => {
          const v = e.currentTarget.valueAsNumber;
          if (Number.isFinite(v)) props.onCommit(v);
        }}
      />
    </Field>
  );
}

function TextInput(props: { label: string; value: string; onCommit: (v: string) => void; wide?: boolean; multiline?: boolean; placeholder?: string; testId?: string }) {
  return (
    <Field label={props.label} wide={props.wide}>
      <Show
        when={props.multiline}
        fallback={<input class="input" data-testid={props.testId} value={props.value} placeholder={props.placeholder} onChange={(e) => props.onCommit(e.currentTarget.value)} />}
      >
        <textarea class="input ov-textarea" data-testid={props.testId} value={props.value} onChange={(e) => props.onCommit(e.currentTarget.value)} />
      </Show>
    </Field>
  );
}

function ColourInput(props: { label: string; value: string; onCommit: (v: string) => void }) {
  // <input type=color> knows no alpha: keep the stored alpha when the picker changes the colour.
  const alpha = () => props.value.slice(7);
  return (
    <Field label={props.label}>
      <input class="input ov-colour" type="color" value={props.value.slice(0, 7)} onChange={(e) => props.onCommit(`${e.currentTarget.value}${alpha()}`)} />
    </Field>
  );
}

function Select<T extends string>(props: { label: string; value: T; options: readonly T[]; labels?: Record<T, string>; onCommit: (v: T) => void }) {
  return (
    <Field label={props.label}>
      <select class="select" value={props.value} onChange={(e) => props.onCommit(e.currentTarget.value as T)}>
        <For each={props.options}>{(o) => <option value={o}>{props.labels?.[o] ?? o}</option>}</For>
      </select>
    </Field>
  );
}

const urlOrNull = (v: string) => (v.trim() === "" ? null : v.trim());

function FontFields(props: { layer: { font: string; size: number; colour: string }; commit: Commit }) {
  return (
    <>
      <TextInput label="Font" value={props.layer.font} onCommit={(font) => props.commit({ font } as Partial<OverlayLayer>)} />
      <NumberInput label="Size" value={props.layer.size} min={6} max={400} onCommit={(size) => props.commit({ size } as Partial<OverlayLayer>)} />
      <ColourInput label="Colour" value={props.layer.colour} onCommit={(colour) => props.commit({ colour } as Partial<OverlayLayer>)} />
    </>
  );
}

function AlertKindFields(props: { kind: AlertKind; style: AlertStyle | undefined; onChange: (style: AlertStyle | undefined) => void; onTest: (kind: AlertKind) => void; canTest: boolean }) {
  const set = (change: Partial<AlertStyle>) => props.style && props.onChange({ ...props.style, ...change });
  return (
    <fieldset class="ov-alert-kind" data-testid="alert-kind" data-kind={props.kind}>
      <legend>
        <label class="ov-check">
          <input
            type="checkbox"
            checked={props.style?.enabled ?? false}
            onChange={(e) => props.onChange(e.currentTarget.checked ? { ...(props.style ?? defaultAlertStyle(DEFAULT_TEMPLATES[props.kind])), enabled: true } : props.style && { ...props.style, enabled: false })}
          />
          {KIND_LABELS[props.kind]}
        </label>
        <Show when={props.canTest}>
          <button type="button" class="btn btn-sm" data-testid={`test-alert-${props.kind}`} onClick={() => props.onTest(props.kind)}>
            Send test
          </button>
        </Show>
      </legend>
      <Show when={props.style?.enabled && props.style}>
        {(s) => (
          <div class="ov-grid">
            <TextInput label="Template" wide value={s().template} onCommit={(template) => set({ template })} />
            <TextInput label="Image / GIF URL" wide value={s().imageUrl ?? ""} placeholder="https://…" onCommit={(v) => set({ imageUrl: urlOrNull(v) })} />
            <TextInput label="Sound URL" wide value={s().soundUrl ?? ""} placeholder="https://…" onCommit={(v) => set({ soundUrl: urlOrNull(v) })} />
            <NumberInput label="Volume %" value={s().volume * 100} min={0} max={100} onCommit={(v) => set({ volume: Math.max(0, Math.min(1, v / 100)) })} />
            <NumberInput label="Duration (s)" value={s().durationMs / 1000} min={1} max={60} step={0.5} onCommit={(v) => set({ durationMs: Math.round(Math.max(1, Math.min(60, v)) * 1000) })} />
          </div>
        )}
      </Show>
    </fieldset>
  );
}

const METRIC_LABELS: Record<GoalMetric, string> = { manual: "Manual (set it here)", follows: "Follows", subs: "Subs & members", bits: "Bits", donations: "Donations (amount)" };

/** Where the bar stands on stream now, and "set current", which moves it on every source at once. */
function GoalLiveField(props: { tenantId: string; overlayId: string; layerId: string; canEdit: boolean }) {
  const goals = createAsync(() => getOverlayGoals(props.tenantId, props.overlayId));
  const [error, setError] = createSignal<unknown>();
  const live = () => goals()?.goals.find((g) => g.layerId === props.layerId)?.current;
  async function set(current: number) {
    setError(undefined);
    try {
      await setOverlayGoal(props.tenantId, props.overlayId, props.layerId, Math.max(0, current));
      await revalidate(getOverlayGoals.keyFor(props.tenantId, props.overlayId));
    } catch (err) {
      setError(err);
    }
  }
  return (
    <>
      <Show when={live() !== undefined} fallback={<p class="field-hint wide">The live value appears once the overlay is saved.</p>}>
        <Show when={props.canEdit} fallback={<p class="field-hint wide" data-testid="goal-live">Live now: {live()}</p>}>
          <NumberInput label="Live now (set current)" testId="goal-live" value={live() ?? 0} min={0} onCommit={(v) => void set(v)} />
        </Show>
      </Show>
      <Show when={error()}>{(err) => <div class="wide"><InlineError error={err()} /></div>}</Show>
    </>
  );
}

function GoalFields(props: { layer: LayerOf<"goal-bar">; commit: Commit; tenantId: string; overlayId: string; canEdit: boolean }) {
  const since = () => (props.layer.since ? new Date(props.layer.since).toLocaleString() : "the start");
  return (
    <>
      <Select label="Counts" value={props.layer.metric ?? "manual"} options={GOAL_METRICS} labels={METRIC_LABELS} onCommit={(metric) => props.commit({ metric } as Partial<OverlayLayer>)} />
      <NumberInput label="Starts at" testId="goal-start" value={props.layer.current} min={0} onCommit={(current) => props.commit({ current: Math.max(0, current) } as Partial<OverlayLayer>)} />
      <Show when={(props.layer.metric ?? "manual") !== "manual"}>
        <p class="field-hint wide" data-testid="goal-since">
          Counting the inbox's {METRIC_LABELS[props.layer.metric ?? "manual"].toLowerCase()} since {since()}.{" "}
          <button type="button" class="btn btn-sm" data-testid="goal-restart" onClick={() => props.commit({ since: new Date().toISOString() } as Partial<OverlayLayer>)}>
            Start over now
          </button>
        </p>
      </Show>
      <Boundary>
        <Suspense>
          <GoalLiveField tenantId={props.tenantId} overlayId={props.overlayId} layerId={props.layer.id} canEdit={props.canEdit} />
        </Suspense>
      </Boundary>
    </>
  );
}

/** Which Spotify account the layer shows, and "Connect Spotify" when the streamer has none yet. */
function SpotifyFields(props: { layer: LayerOf<"now-playing">; commit: Commit; tenantId: string; overlayId: string }) {
  const mine = createAsync(() => getMyConnections(props.tenantId));
  const slot = () => mine()?.platforms.find((p) => p.platform === "spotify");
  const [error, setError] = createSignal<unknown>();
  async function connect() {
    setError(undefined);
    try {
      const { authorizeUrl } = await connectSpotify(props.tenantId, `/overlays/${props.overlayId}`);
      window.location.assign(authorizeUrl);
    } catch (err) {
      setError(err);
    }
  }
  return (
    <div class="wide" data-testid="spotify-fields">
      <Switch>
        <Match when={slot() && !slot()?.configured}>
          <p class="field-hint">Spotify is not set up on this server: an administrator sets {slot()?.missing.join(" and ")}.</p>
        </Match>
        <Match when={slot()?.connection?.status === "connected" || slot()?.connection?.status === "expiring" ? slot()?.connection : undefined}>
          {(c) => (
            <p class="field-hint" data-testid="spotify-connected">
              Spotify: {c().displayName}.{" "}
              <Show when={props.layer.connectionId !== c().id} fallback={<>This layer shows your account.</>}>
                <button type="button" class="btn btn-sm" data-testid="spotify-use-mine" onClick={() => props.commit({ connectionId: c().id } as Partial<OverlayLayer>)}>
                  Show my Spotify here
                </button>
              </Show>
            </p>
          )}
        </Match>
        <Match when={slot()}>
          <p class="field-hint">
            {slot()?.connection ? "Spotify needs you to connect again." : "Connect your Spotify account to show what you play."}{" "}
            <button type="button" class="btn btn-sm btn-primary" data-testid="spotify-connect" onClick={() => void connect()}>
              Connect Spotify
            </button>
          </p>
        </Match>
      </Switch>
      <Show when={error()}>{(err) => <InlineError error={err()} />}</Show>
    </div>
  );
}

export function PropertiesPanel(props: {
  editor: EditorDocument;
  layer: OverlayLayer;
  onTestAlert: (kind: AlertKind) => void;
  canTest: boolean;
  tenantId: string;
  overlayId: string;
  canEdit: boolean;
}) {
  const commit: Commit = (change) => props.editor.commit(replaceLayer(props.editor.doc(), props.layer.id, change));
  const as = <T extends OverlayLayer["type"]>(type: T) => (props.layer.type === type ? (props.layer as LayerOf<T>) : undefined);
  return (
    <div class="ov-panel" data-testid="properties-panel">
      <div class="ov-panel-title">
        {LAYER_LABELS[props.layer.type]} <span class="faint">· {props.layer.id}</span>
      </div>
      <div class="ov-grid">
        <TextInput label="Name" wide value={props.layer.name} onCommit={(name) => name.trim() && commit({ name: name.trim().slice(0, 80) })} />
        <NumberInput label="X" testId="prop-x" value={props.layer.x} onCommit={(x) => commit({ x })} />
        <NumberInput label="Y" testId="prop-y" value={props.layer.y} onCommit={(y) => commit({ y })} />
        <NumberInput label="Width" value={props.layer.w} min={1} onCommit={(w) => commit({ w: Math.max(1, w) })} />
        <NumberInput label="Height" value={props.layer.h} min={1} onCommit={(h) => commit({ h: Math.max(1, h) })} />
        <NumberInput label="Rotation °" value={props.layer.rotation ?? 0} min={-360} max={360} onCommit={(rotation) => commit({ rotation })} />
        <NumberInput label="Opacity %" value={props.layer.opacity * 100} min={0} max={100} onCommit={(v) => commit({ opacity: Math.max(0, Math.min(1, v / 100)) })} />
      </div>
      <div class="ov-grid">
        <Switch>
          <Match when={as("text")}>
            {(l) => (
              <>
                <TextInput label="Text" wide multiline testId="prop-content" value={l().content} onCommit={(content) => commit({ content } as Partial<OverlayLayer>)} />
                <FontFields layer={l()} commit={commit} />
                <Select label="Align" value={l().align} options={["left", "center", "right"] as const} onCommit={(align) => commit({ align } as Partial<OverlayLayer>)} />
                <label class="ov-check">
                  <input type="checkbox" checked={l().shadow} onChange={(e) => commit({ shadow: e.currentTarget.checked } as Partial<OverlayLayer>)} /> Shadow
                </label>
              </>
            )}
          </Match>
          <Match when={as("image")}>
            {(l) => (
              <>
                <TextInput label="Image URL" wide value={l().url ?? ""} placeholder="https://…" onCommit={(v) => commit({ url: urlOrNull(v) } as Partial<OverlayLayer>)} />
                <Select label="Fit" value={l().fit} options={["contain", "cover", "fill"] as const} onCommit={(fit) => commit({ fit } as Partial<OverlayLayer>)} />
              </>
            )}
          </Match>
          <Match when={as("alert-box")}>
            {(l) => (
              <>
                <FontFields layer={l()} commit={commit} />
                <p class="field-hint wide">Variables: {ALERT_TEMPLATE_VARIABLES.map((v) => `{${v}}`).join(" ")}</p>
                <For each={ALERT_KINDS}>
                  {(kind) => (
                    <AlertKindFields
                      kind={kind}
                      style={l().alerts[kind]}
                      canTest={props.canTest}
                      onTest={props.onTestAlert}
                      onChange={(style) => commit({ alerts: { ...l().alerts, [kind]: style } } as Partial<OverlayLayer>)}
                    />
                  )}
                </For>
              </>
            )}
          </Match>
          <Match when={as("chat-box")}>
            {(l) => (
              <>
                <FontFields layer={l()} commit={commit} />
                <NumberInput label="Max lines" value={l().maxLines} min={1} max={50} onCommit={(maxLines) => commit({ maxLines: Math.round(maxLines) } as Partial<OverlayLayer>)} />
                <NumberInput label="Fade after (s, 0 = never)" value={l().fadeAfterSeconds} min={0} max={3600} onCommit={(v) => commit({ fadeAfterSeconds: Math.round(v) } as Partial<OverlayLayer>)} />
                <label class="ov-check">
                  <input type="checkbox" checked={l().showCommands ?? false} onChange={(e) => commit({ showCommands: e.currentTarget.checked } as Partial<OverlayLayer>)} /> Show !commands
                </label>
                <label class="ov-check">
                  <input type="checkbox" checked={l().showBotLines ?? false} onChange={(e) => commit({ showBotLines: e.currentTarget.checked } as Partial<OverlayLayer>)} /> Show the bot's lines
                </label>
              </>
            )}
          </Match>
          <Match when={as("event-list")}>
            {(l) => (
              <>
                <FontFields layer={l()} commit={commit} />
                <NumberInput label="Show" value={l().count} min={1} max={25} onCommit={(count) => commit({ count: Math.round(count) } as Partial<OverlayLayer>)} />
                <div class="ov-kinds wide">
                  <For each={ALERT_KINDS}>
                    {(kind) => (
                      <label class="ov-check">
                        <input
                          type="checkbox"
                          checked={l().kinds.includes(kind)}
                          onChange={(e) => {
                            const kinds = e.currentTarget.checked ? [...l().kinds, kind] : l().kinds.filter((k) => k !== kind);
                            if (kinds.length > 0) commit({ kinds } as Partial<OverlayLayer>);
                            else e.currentTarget.checked = true;
                          }}
                        />
                        {KIND_LABELS[kind]}
                      </label>
                    )}
                  </For>
                </div>
              </>
            )}
          </Match>
          <Match when={as("goal-bar")}>
            {(l) => (
              <>
                <TextInput label="Label" wide value={l().label} onCommit={(label) => commit({ label } as Partial<OverlayLayer>)} />
                <NumberInput label="Target" value={l().target} min={1} onCommit={(target) => commit({ target: Math.max(1, target) } as Partial<OverlayLayer>)} />
                <GoalFields layer={l()} commit={commit} tenantId={props.tenantId} overlayId={props.overlayId} canEdit={props.canEdit} />
                <ColourInput label="Bar" value={l().barColour} onCommit={(barColour) => commit({ barColour } as Partial<OverlayLayer>)} />
                <ColourInput label="Background" value={l().backgroundColour} onCommit={(backgroundColour) => commit({ backgroundColour } as Partial<OverlayLayer>)} />
                <ColourInput label="Text" value={l().textColour} onCommit={(textColour) => commit({ textColour } as Partial<OverlayLayer>)} />
              </>
            )}
          </Match>
          <Match when={as("now-playing")}>
            {(l) => (
              <>
                <Select label="Source" value={l().source} options={["spotify", "youtube"] as const} labels={{ spotify: "Spotify", youtube: "YouTube" }} onCommit={(source) => commit({ source } as Partial<OverlayLayer>)} />
                <FontFields layer={l()} commit={commit} />
                <Show
                  when={l().source === "spotify"}
                  fallback={
                    <p class="field-hint wide" data-testid="now-playing-youtube-hint">
                      Follows the YouTube song-request queue: the song playing now (title, channel, thumbnail, requester). Viewers add songs with !sr in chat;
                      run the queue on <A href="/streams/song-requests">Song requests</A>.
                    </p>
                  }
                >
                  <Boundary>
                    <Suspense>
                      <SpotifyFields layer={l()} commit={commit} tenantId={props.tenantId} overlayId={props.overlayId} />
                    </Suspense>
                  </Boundary>
                </Show>
              </>
            )}
          </Match>
        </Switch>
      </div>
    </div>
  );
}
