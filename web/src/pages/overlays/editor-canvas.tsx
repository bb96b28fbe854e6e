// The editor's canvas: the overlay at 1920×1080 scaled to fit, drawn with the renderer's own layer components.
// Drag a layer to move it, drag a handle to resize; both snap (toggle) and commit once on release, so one undo
// takes back the whole gesture. Pointer events only (no drag-and-drop library in the web package).
import type { OverlayDocument, OverlayLayer } from "@nebula/schema/wire/overlay";
import { OVERLAY_CANVAS } from "@nebula/schema/wire/overlay-constants";
import { createSignal, Index, onCleanup, onMount, Show } from "solid-js";
import type { LiveState } from "../../overlay-renderer/live-state.ts";
import { LayerContent, layerBoxStyle } from "../../overlay-renderer/layers.tsx";
import type { EditorDocument } from "./editor-history.ts";
import { byZ } from "./layer-defaults.ts";
import { type Box, snapEdge, snapMove, snapTargets } from "./snap.ts";

const HANDLES = ["nw", "n", "ne", "e", "se", "s", "sw", "w"] as const;
type Handle = (typeof HANDLES)[number];
const MIN_SIZE = 10;

export function replaceLayer(doc: OverlayDocument, id: string, change: Partial<OverlayLayer>): OverlayDocument {
  return { ...doc, layers: doc.layers.map((l) => (l.id === id ? ({ ...l, ...change } as OverlayLayer) : l)) };
}

function resized(start: Box, handle: Handle, dx: number, dy: number, snap: ((v: number, axis: "x" | "y") => number) | null): Box {
  let left = start.x;
  let top = start.y;
  let right = start.x + start.w;
  let bottom = start.y + start.h;
  const s = (v: number, axis: "x" | "y") => (snap ? snap(v, axis) : Math.round(v));
  if (handle.includes("w")) left = Math.min(s(start.x + dx, "x"), right - MIN_SIZE);
  if (handle.includes("e")) right = Math.max(s(right + dx, "x"), left + MIN_SIZE);
  if (handle.includes("n")) top = Math.min(s(start.y + dy, "y"), bottom - MIN_SIZE);
  if (handle.includes("s")) bottom = Math.max(s(bottom + dy, "y"), top + MIN_SIZE);
  return { x: left, y: top, w: right - left, h: bottom - top };
}

export function EditorCanvas(props: { editor: EditorDocument; selected: string | null; onSelect: (id: string | null) => void; snap: boolean; live: LiveState }) {
  let frame!: HTMLDivElement;
  const [scale, setScale] = createSignal(0.5);
  onMount(() => {
    // Measured now, not only when the observer first reports, so the first drag already sees the final layout.
    setScale(frame.clientWidth / OVERLAY_CANVAS.width);
    const observer = new ResizeObserver(() => setScale(frame.clientWidth / OVERLAY_CANVAS.width));
    observer.observe(frame);
    onCleanup(() => observer.disconnect());
  });

  /** One gesture (move or resize) from pointerdown to pointerup, on window so a fast pointer never escapes it. */
  function gesture(event: PointerEvent, layer: OverlayLayer, handle: Handle | null) {
    if (event.button !== 0) return;
    event.preventDefault();
    event.stopPropagation();
    props.onSelect(layer.id);
    if (layer.locked) return;
    const before = props.editor.doc();
    const start: Box = { x: layer.x, y: layer.y, w: layer.w, h: layer.h };
    const others = before.layers.filter((l) => l.id !== layer.id && l.visible);
    const targets = snapTargets(others, OVERLAY_CANVAS);
    const origin = { x: event.clientX, y: event.clientY };
    const move = (e: PointerEvent) => {
      const dx = (e.clientX - origin.x) / scale();
      const dy = (e.clientY - origin.y) / scale();
      let box: Box;
      if (handle === null) {
        const moved = { ...start, x: start.x + dx, y: start.y + dy };
        box = props.snap ? snapMove(moved, targets) : { ...moved, x: Math.round(moved.x), y: Math.round(moved.y) };
      } else {
        box = resized(start, handle, dx, dy, props.snap ? (v, axis) => snapEdge(v, axis === "x" ? targets.xs : targets.ys) : null);
      }
      props.editor.preview(replaceLayer(before, layer.id, box));
    };
    const end = () => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", end);
      window.removeEventListener("pointercancel", end);
      const after = props.editor.doc();
      const moved = after.layers.find((l) => l.id === layer.id);
      if (moved && (moved.x !== start.x || moved.y !== start.y || moved.w !== start.w || moved.h !== start.h)) props.editor.commit(after, before);
      else props.editor.preview(before);
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", end);
    window.addEventListener("pointercancel", end);
  }

  const layers = () => byZ(props.editor.doc().layers);
  return (
    <div ref={frame} class="ov-editor-frame" style={{ height: `${OVERLAY_CANVAS.height * scale()}px` }} onPointerDown={() => props.onSelect(null)} data-testid="overlay-canvas" data-scale={scale().toFixed(3)}>
      <div class="ov-stage ov-editor-stage" style={{ width: `${OVERLAY_CANVAS.width}px`, height: `${OVERLAY_CANVAS.height}px`, transform: `scale(${scale()})` }}>
        <Index each={layers()}>
          {(layer) => (
            <div
              class="ov-layer ov-editor-layer"
              classList={{ selected: props.selected === layer().id, locked: layer().locked, "hidden-layer": !layer().visible }}
              // A hidden layer stays faintly visible here so it can still be found and moved.
              style={{ ...layerBoxStyle(layer()), opacity: layer().visible ? layer().opacity : 0.25 }}
              data-testid="canvas-layer"
              data-layer-id={layer().id}
              onPointerDown={(e) => gesture(e, layer(), null)}
            >
              <LayerContent layer={layer()} live={props.live} preview={true} />
              <Show when={props.selected === layer().id && !layer().locked}>
                {HANDLES.map((h) => (
                  <span
                    class={`ov-handle ov-handle-${h}`}
                    data-testid={`handle-${h}`}
                    style={{ "--inv": String(1 / scale()) }}
                    onPointerDown={(e) => gesture(e, layer(), h)}
                  />
                ))}
              </Show>
            </div>
          )}
        </Index>
      </div>
    </div>
  );
}
