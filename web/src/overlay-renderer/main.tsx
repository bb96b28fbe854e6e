// The OBS browser source page, /overlay/<public id>: a transparent 1920×1080 stage scaled to the source's size,
// drawing the overlay's layers and playing its events as they arrive from the OverlayRoom. `?heartbeat=<ms>` sets the
// socket's ping interval (connection.ts, heartbeatOf) for debugging a source that stalls.
import type { OverlayDocument } from "@nebula/schema/wire/overlay";
import { OVERLAY_CANVAS } from "@nebula/schema/wire/overlay-constants";
import { createSignal, For, onCleanup, Show } from "solid-js";
import { render } from "solid-js/web";
import { type ConnectionState, OverlayConnection, heartbeatOf } from "./connection.ts";
import { createLiveState } from "./live-state.ts";
import { LayerContent, layerBoxStyle } from "./layers.tsx";
import "./renderer.css";
import "./page.css";

function Overlay(props: { publicId: string }) {
  const [document, setDocument] = createSignal<OverlayDocument>();
  const [state, setState] = createSignal<ConnectionState>("connecting");
  const [lastSeq, setLastSeq] = createSignal(0);
  const live = createLiveState(document);
  const [scale, setScale] = createSignal(1);

  const fit = () => setScale(Math.min(window.innerWidth / OVERLAY_CANVAS.width, window.innerHeight / OVERLAY_CANVAS.height));
  fit();
  window.addEventListener("resize", fit);

  const socketUrl = new URL(`/overlay/${encodeURIComponent(props.publicId)}/ws`, window.location.href);
  socketUrl.protocol = socketUrl.protocol === "https:" ? "wss:" : "ws:";
  const connection = new OverlayConnection(socketUrl.toString(), {
    onHello: (frame) => live.seed(frame),
    onDocument: (frame) => setDocument(frame.document),
    onEvent: (seq, event, history) => {
      live.apply(seq, event, history);
      setLastSeq(seq);
    },
    onState: (s) => {
      setState(s);
      if (s === "gone") setDocument(undefined);
    },
  }, heartbeatOf(window.location.search));
  connection.start();
  onCleanup(() => {
    connection.stop();
    window.removeEventListener("resize", fit);
  });

  const layers = () => [...(document()?.layers ?? [])].filter((l) => l.visible).sort((a, b) => a.z - b.z);
  return (
    <div
      class="ov-stage"
      data-testid="overlay-stage"
      data-connection={state()}
      data-last-seq={lastSeq()}
      data-played={live.state.played().join(",")}
      style={{ width: `${OVERLAY_CANVAS.width}px`, height: `${OVERLAY_CANVAS.height}px`, transform: `scale(${scale()})` }}
    >
      <Show when={document()}>
        <For each={layers()}>
          {(layer) => (
            <div class="ov-layer" data-layer-id={layer.id} style={layerBoxStyle(layer)}>
              <LayerContent layer={layer} live={live.state} preview={false} />
            </div>
          )}
        </For>
      </Show>
    </div>
  );
}

const root = window.document.getElementById("overlay");
const publicId = /^\/overlay\/([A-Za-z0-9_-]{24,64})\/?$/.exec(window.location.pathname)?.[1];
if (root && publicId) render(() => <Overlay publicId={publicId} />, root);
