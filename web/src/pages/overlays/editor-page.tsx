// /overlays/:overlayId: the overlay editor. Canvas in the middle, layers on the left, properties on the right;
// undo/redo (Ctrl+Z / Ctrl+Shift+Z), snap toggle, test alerts, and saves debounced with the version read, so a save
// over someone else's newer one is refused (409) and the editor offers to reload instead of overwriting it.
import type { AlertKind, OverlayLayer } from "@nebula/schema/wire/overlay";
import { ALERT_KINDS } from "@nebula/schema/wire/overlay-constants";
import { A, createAsync, revalidate, useParams } from "@solidjs/router";
import { createEffect, createSignal, For, on, onCleanup, Show } from "solid-js";
import { ApiError } from "../../api/client.ts";
import { getOverlay, getOverlayGoals, obsUrl, type OverlayView, readOverlay, sendTestAlert, updateOverlay } from "../../api/overlays.ts";
import { idleLiveState } from "../../overlay-renderer/live-state.ts";
import { KIND_LABELS } from "../../overlay-renderer/template.ts";
import "../../overlay-renderer/renderer.css";
import { useSession } from "../../session/session.tsx";
import { Boundary, InlineError } from "../../ui/boundary.tsx";
import { EditorCanvas, replaceLayer } from "./editor-canvas.tsx";
import { createEditorDocument } from "./editor-history.ts";
import { byZ, withOrder } from "./layer-defaults.ts";
import { LayerList } from "./layer-list.tsx";
import "./overlays.css";
import { PropertiesPanel } from "./properties-panel.tsx";

/** How long the editor waits after the last change before saving. */
const SAVE_DEBOUNCE_MS = 700;

type SaveState = "saved" | "dirty" | "saving" | "conflict" | "error";
const SAVE_LABELS: Record<SaveState, string> = { saved: "All changes saved", dirty: "Unsaved changes", saving: "Saving…", conflict: "Changed elsewhere", error: "Not saved" };

const typing = (target: EventTarget | null) => target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));

function Editor(props: { tenantId: string; overlay: OverlayView }) {
  const session = useSession();
  const canEdit = () => session.can("overlays.manage");
  const editor = createEditorDocument(props.overlay.document);
  const [version, setVersion] = createSignal(props.overlay.version);
  const [selected, setSelected] = createSignal<string | null>(null);
  const [snap, setSnap] = createSignal(true);
  const [saveState, setSaveState] = createSignal<SaveState>("saved");
  const [saveError, setSaveError] = createSignal<unknown>();
  const [testKind, setTestKind] = createSignal<AlertKind>("follow");
  const [testResult, setTestResult] = createSignal<string>();
  const [testError, setTestError] = createSignal<unknown>();
  const live = idleLiveState();

  let timer: ReturnType<typeof setTimeout> | undefined;
  let saving = false;
  onCleanup(() => clearTimeout(timer));

  async function save() {
    if (saving || saveState() === "conflict") return;
    saving = true;
    const revision = editor.revision();
    setSaveState("saving");
    try {
      const saved = await updateOverlay(props.tenantId, props.overlay.id, { version: version(), document: editor.doc() });
      setVersion(saved.version);
      setSaveError(undefined);
      // A save can start a goal over (a new start, metric or starting value): the live values are read again.
      void revalidate(getOverlayGoals.keyFor(props.tenantId, props.overlay.id));
      if (editor.revision() === revision) setSaveState("saved");
      else schedule();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setSaveState("conflict");
      else {
        setSaveError(err);
        setSaveState("error");
      }
    } finally {
      saving = false;
    }
  }
  function schedule() {
    if (saveState() === "conflict") return;
    setSaveState("dirty");
    clearTimeout(timer);
    timer = setTimeout(() => void save(), SAVE_DEBOUNCE_MS);
  }
  createEffect(on(editor.revision, () => canEdit() && schedule(), { defer: true }));

  async function reload() {
    const fresh = await readOverlay(props.tenantId, props.overlay.id);
    editor.reset(fresh.document);
    setVersion(fresh.version);
    setSaveState("saved");
  }

  async function testAlert(kind: AlertKind) {
    setTestError(undefined);
    try {
      const result = await sendTestAlert(props.tenantId, props.overlay.id, kind);
      setTestResult(`${KIND_LABELS[kind]} test sent to ${result.delivered} source${result.delivered === 1 ? "" : "s"}`);
    } catch (err) {
      setTestError(err);
    }
  }

  const selectedLayer = () => editor.doc().layers.find((l) => l.id === selected());
  const commitLayer = (id: string, change: Partial<OverlayLayer>) => editor.commit(replaceLayer(editor.doc(), id, change));

  const onKey = (e: KeyboardEvent) => {
    if (!canEdit()) return;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === "z" && !typing(e.target)) {
      e.preventDefault();
      if (e.shiftKey) editor.redo();
      else editor.undo();
      return;
    }
    if (mod && e.key.toLowerCase() === "y" && !typing(e.target)) {
      e.preventDefault();
      editor.redo();
      return;
    }
    const layer = selectedLayer();
    if (!layer || typing(e.target)) return;
    if (e.key === "Delete" || e.key === "Backspace") {
      e.preventDefault();
      editor.commit({ ...editor.doc(), layers: withOrder(byZ(editor.doc().layers.filter((l) => l.id !== layer.id))) });
      setSelected(null);
      return;
    }
    const step = e.shiftKey ? 10 : 1;
    const nudge: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    const d = nudge[e.key];
    if (d && !layer.locked) {
      e.preventDefault();
      commitLayer(layer.id, { x: layer.x + d[0], y: layer.y + d[1] });
    }
  };
  document.addEventListener("keydown", onKey);
  onCleanup(() => document.removeEventListener("keydown", onKey));

  return (
    <div class="ov-editor" data-testid="overlay-editor">
      <div class="ov-toolbar">
        <A href="/overlays" class="btn btn-sm btn-ghost">
          ← Overlays
        </A>
        <h1 class="ov-title">{props.overlay.name}</h1>
        <button type="button" class="btn btn-sm" data-testid="undo" disabled={!editor.canUndo()} onClick={() => editor.undo()} title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button type="button" class="btn btn-sm" data-testid="redo" disabled={!editor.canRedo()} onClick={() => editor.redo()} title="Redo (Ctrl+Shift+Z)">
          Redo
        </button>
        <label class="ov-check">
          <input type="checkbox" data-testid="snap-toggle" checked={snap()} onChange={(e) => setSnap(e.currentTarget.checked)} /> Snap
        </label>
        <span class="ov-save" data-testid="save-status" data-state={saveState()}>
          {SAVE_LABELS[saveState()]}
        </span>
        <span class="grow" />
        <Show when={session.can("overlays.test")}>
          <select class="select select-sm" aria-label="Test alert type" value={testKind()} onChange={(e) => setTestKind(e.currentTarget.value as AlertKind)}>
            <For each={ALERT_KINDS}>{(k) => <option value={k}>{KIND_LABELS[k]}</option>}</For>
          </select>
          <button type="button" class="btn btn-sm" data-testid="send-test-alert" onClick={() => void testAlert(testKind())}>
            Send test alert
          </button>
        </Show>
        <a class="btn btn-sm btn-primary" href={obsUrl(props.overlay.publicId)} target="_blank" rel="noopener" data-testid="open-preview">
          Open preview
        </a>
      </div>
      <Show when={saveState() === "conflict"}>
        <div class="notice notice-warning" role="alert" data-testid="save-conflict">
          <span class="grow">Someone saved this overlay elsewhere since you opened it. Reload to get their version; your unsaved changes here will be dropped.</span>
          <button type="button" class="btn btn-sm" data-testid="reload-overlay" onClick={() => void reload()}>
            Reload
          </button>
        </div>
      </Show>
      <Show when={saveState() === "error" && saveError()}>{(err) => <InlineError error={err()} />}</Show>
      <Show when={testError()}>{(err) => <InlineError error={err()} />}</Show>
      <Show when={testResult()}>{(msg) => <p class="faint ov-test-result" data-testid="test-alert-result">{msg()}</p>}</Show>
      <div class="ov-workspace">
        <LayerList editor={editor} selected={selected()} onSelect={setSelected} />
        <div class="ov-canvas-column">
          <EditorCanvas editor={editor} selected={selected()} onSelect={setSelected} snap={snap()} live={live} />
          <p class="faint ov-hint">
            Drag to move, drag a handle to resize, arrows nudge (Shift ×10), Delete removes. In OBS, add a Browser source of 1920×1080
            with <code data-testid="obs-url">{obsUrl(props.overlay.publicId)}</code>
          </p>
          <Show when={selectedLayer()} fallback={<div class="ov-panel faint ov-panel-empty">Select a layer to edit its properties.</div>}>
            {(layer) => (
              <PropertiesPanel
                editor={editor}
                layer={layer()}
                onTestAlert={(k) => void testAlert(k)}
                canTest={session.can("overlays.test")}
                tenantId={props.tenantId}
                overlayId={props.overlay.id}
                canEdit={canEdit()}
              />
            )}
          </Show>
        </div>
      </div>
    </div>
  );
}

export default function OverlayEditorPage() {
  const params = useParams<{ overlayId: string }>();
  const session = useSession();
  const tenantId = () => session.tenant()?.id ?? "";
  const overlay = createAsync(() => (tenantId() ? getOverlay(tenantId(), params.overlayId) : Promise.resolve(undefined)));
  return (
    <div class="page ov-page-wide">
      <Boundary>
        {/* Not keyed: a revalidated read must not remount the editor and drop its undo history. */}
        <Show when={overlay()}>{(o) => <Editor tenantId={tenantId()} overlay={o()} />}
        </Show>
      </Boundary>
    </div>
  );
}
