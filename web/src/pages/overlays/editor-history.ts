// The editor's document with undo/redo: every change is a new immutable document; a drag previews many and commits
// once, so one Ctrl+Z undoes the whole drag. History is bounded so a long session does not grow without end.
import type { OverlayDocument } from "@nebula/schema/wire/overlay";
import { createSignal } from "solid-js";

export const HISTORY_LIMIT = 100;

export function createEditorDocument(initial: OverlayDocument) {
  const [doc, setDoc] = createSignal(initial);
  const [past, setPast] = createSignal<OverlayDocument[]>([]);
  const [future, setFuture] = createSignal<OverlayDocument[]>([]);
  /** Bumped on every committed change (the save debounce watches it). */
  const [revision, setRevision] = createSignal(0);

  return {
    doc,
    revision,
    canUndo: () => past().length > 0,
    canRedo: () => future().length > 0,
    /** Shows a document without recording it (the middle of a drag). */
    preview(next: OverlayDocument) {
      setDoc(next);
    },
    /** Records a change; `before` is the document the change started from (the drag's start). */
    commit(next: OverlayDocument, before: OverlayDocument = doc()) {
      if (next === before) return;
      setPast((p) => [...p, before].slice(-HISTORY_LIMIT));
      setFuture([]);
      setDoc(next);
      setRevision((r) => r + 1);
    },
    undo() {
      const p = past();
      const previous = p[p.length - 1];
      if (!previous) return;
      setPast(p.slice(0, -1));
      setFuture((f) => [doc(), ...f].slice(0, HISTORY_LIMIT));
      setDoc(previous);
      setRevision((r) => r + 1);
    },
    redo() {
      const [next, ...rest] = future();
      if (!next) return;
      setFuture(rest);
      setPast((p) => [...p, doc()].slice(-HISTORY_LIMIT));
      setDoc(next);
      setRevision((r) => r + 1);
    },
    /** Replaces everything (a reload after a conflict): no history across it. */
    reset(next: OverlayDocument) {
      setPast([]);
      setFuture([]);
      setDoc(next);
    },
  };
}

export type EditorDocument = ReturnType<typeof createEditorDocument>;
