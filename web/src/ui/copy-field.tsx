// A value shown once (API token secret, invite link) with a Copy button.
import { createSignal, onCleanup } from "solid-js";
import { CheckIcon, CopyIcon } from "./icons.tsx";

async function copyText(text: string, source: HTMLElement): Promise<boolean> {
  // The async clipboard API needs a secure context; a homelab reached over plain http on the LAN is not one.
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // fall through to the selection fallback
    }
  }
  const range = document.createRange();
  range.selectNodeContents(source);
  const selection = window.getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
  return document.execCommand("copy");
}

export function CopyField(props: { value: string; label: string; testId?: string }) {
  let valueEl!: HTMLElement;
  const [state, setState] = createSignal<"idle" | "copied" | "failed">("idle");
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));

  async function copy() {
    setState((await copyText(props.value, valueEl)) ? "copied" : "failed");
    clearTimeout(timer);
    timer = setTimeout(() => setState("idle"), 2000);
  }

  return (
    <div class="secret-box">
      <code ref={valueEl} class="secret-value" data-testid={props.testId}>
        {props.value}
      </code>
      <button type="button" class="btn" onClick={copy} aria-label={`Copy ${props.label}`} aria-live="polite">
        {state() === "copied" ? <CheckIcon /> : <CopyIcon />}
        {state() === "copied" ? "Copied" : state() === "failed" ? "Select & copy" : "Copy"}
      </button>
    </div>
  );
}
