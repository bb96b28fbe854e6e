// The layer list: top layer first; select, move up/down (z-order), hide/show, lock/unlock, delete, and add a layer.
import type { OverlayLayer, OverlayLayerType } from "@nebula/schema/wire/overlay";
import { createSignal, For } from "solid-js";
import type { EditorDocument } from "./editor-history.ts";
import { byZ, LAYER_LABELS, LAYER_TYPES, newLayer, withOrder } from "./layer-defaults.ts";

/** Small stroke icons (system fonts in OBS-like headless browsers often lack emoji). */
const svg = (d: string) => () => (
  <svg width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
    <path d={d} />
  </svg>
);
const EyeIcon = svg("M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12Zm10 3a3 3 0 1 0 0-6 3 3 0 0 0 0 6Z");
const EyeOffIcon = svg("M3 3l18 18M10.6 5.1A10.9 10.9 0 0 1 12 5c6.5 0 10 7 10 7a17 17 0 0 1-3.2 4.1M6.6 6.6C3.8 8.4 2 12 2 12s3.5 7 10 7a9.9 9.9 0 0 0 5.4-1.6");
const LockIcon = svg("M5 11h14v10H5zM8 11V7a4 4 0 0 1 8 0v4");
const UnlockIcon = svg("M5 11h14v10H5zM8 11V7a4 4 0 0 1 7.9-1");

export function LayerList(props: { editor: EditorDocument; selected: string | null; onSelect: (id: string | null) => void }) {
  const [adding, setAdding] = createSignal<OverlayLayerType>("text");
  const topFirst = () => byZ(props.editor.doc().layers).reverse();

  const change = (layers: OverlayLayer[]) => props.editor.commit({ ...props.editor.doc(), layers });
  /** Moves a layer one step up (towards the top) or down in the stacking order. */
  function restack(id: string, up: boolean) {
    const order = byZ(props.editor.doc().layers);
    const i = order.findIndex((l) => l.id === id);
    const j = up ? i + 1 : i - 1;
    if (i < 0 || j < 0 || j >= order.length) return;
    const a = order[i] as OverlayLayer;
    order[i] = order[j] as OverlayLayer;
    order[j] = a;
    change(withOrder(order));
  }
  const toggle = (id: string, key: "visible" | "locked") =>
    change(props.editor.doc().layers.map((l) => (l.id === id ? { ...l, [key]: !l[key] } : l)));
  function add() {
    const layer = newLayer(props.editor.doc(), adding());
    change([...props.editor.doc().layers, layer]);
    props.onSelect(layer.id);
  }
  function remove(id: string) {
    change(withOrder(byZ(props.editor.doc().layers.filter((l) => l.id !== id))));
    props.onSelect(null);
  }

  return (
    <div class="ov-panel" data-testid="layer-list">
      <div class="ov-panel-title">Layers</div>
      <div class="ov-add-layer">
        <select class="select select-sm" aria-label="Layer type" value={adding()} onChange={(e) => setAdding(e.currentTarget.value as OverlayLayerType)}>
          <For each={LAYER_TYPES}>{(t) => <option value={t}>{LAYER_LABELS[t]}</option>}</For>
        </select>
        <button type="button" class="btn btn-sm" data-testid="add-layer" onClick={add}>
          Add
        </button>
      </div>
      <ul class="ov-layers">
        <For each={topFirst()} fallback={<li class="faint ov-layers-empty">No layers yet: add one.</li>}>
          {(layer, index) => (
            <li class="ov-layer-row" classList={{ selected: props.selected === layer.id }} data-testid="layer-row" data-layer-id={layer.id}>
              <button type="button" class="ov-layer-name" onClick={() => props.onSelect(layer.id)} title={LAYER_LABELS[layer.type]}>
                {layer.name}
                <span class="faint"> · {LAYER_LABELS[layer.type]}</span>
              </button>
              <button type="button" class="ov-icon-btn" aria-label={`Move ${layer.name} up`} disabled={index() === 0} onClick={() => restack(layer.id, true)}>
                ↑
              </button>
              <button type="button" class="ov-icon-btn" aria-label={`Move ${layer.name} down`} disabled={index() === topFirst().length - 1} onClick={() => restack(layer.id, false)}>
                ↓
              </button>
              <button type="button" class="ov-icon-btn" aria-pressed={!layer.visible} aria-label={layer.visible ? `Hide ${layer.name}` : `Show ${layer.name}`} onClick={() => toggle(layer.id, "visible")}>
                {layer.visible ? <EyeIcon /> : <EyeOffIcon />}
              </button>
              <button type="button" class="ov-icon-btn" aria-pressed={layer.locked} aria-label={layer.locked ? `Unlock ${layer.name}` : `Lock ${layer.name}`} onClick={() => toggle(layer.id, "locked")}>
                {layer.locked ? <LockIcon /> : <UnlockIcon />}
              </button>
              <button type="button" class="ov-icon-btn danger" aria-label={`Delete ${layer.name}`} onClick={() => remove(layer.id)}>
                ✕
              </button>
            </li>
          )}
        </For>
      </ul>
    </div>
  );
}
