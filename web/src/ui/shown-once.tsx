// A freshly created secret (API token, invite link): shown this one time with a Copy button, then dismissed.
import type { JSX } from "solid-js";
import { CopyField } from "./copy-field.tsx";

export function ShownOnce(props: {
  tone: "success" | "warning";
  title: JSX.Element;
  children: JSX.Element;
  value: string;
  label: string;
  testId: string;
  valueTestId: string;
  dismissLabel: string;
  onDismiss: () => void;
}) {
  return (
    <div class={`notice notice-${props.tone}`} data-testid={props.testId} style={{ "flex-direction": "column" }}>
      <strong>{props.title}</strong>
      <span class="muted">{props.children}</span>
      <CopyField value={props.value} label={props.label} testId={props.valueTestId} />
      <div>
        <button type="button" class="btn btn-sm" onClick={() => props.onDismiss()}>
          {props.dismissLabel}
        </button>
      </div>
    </div>
  );
}
