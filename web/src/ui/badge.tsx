// Small pills for roles and statuses.
import type { JSX } from "solid-js";

export type BadgeTone = "neutral" | "accent" | "success" | "warning" | "danger";

/** A machine value such as `rolled_back` or `not_connected` reads as words; other text is left as written. */
export function badgeWords(text: string): string {
  return /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/.test(text) ? text.replaceAll("_", " ") : text;
}

/** `plain`: show the text as written. By default a machine value reads as words and only the first letter is raised
 * (CSS, so the text stays the value): "Not connected", "120 lost samples", where `capitalize` made "Not Connected". */
export function Badge(props: { tone?: BadgeTone; children: JSX.Element; testId?: string; plain?: boolean }) {
  const shown = () => {
    const c = props.children;
    return typeof c === "string" && !props.plain ? badgeWords(c) : c;
  };
  return (
    <span
      class={`badge${props.tone && props.tone !== "neutral" ? ` badge-${props.tone}` : ""}${props.plain ? "" : " badge-cap"}`}
      data-testid={props.testId}
    >
      <span class="badge-text">{shown()}</span>
    </span>
  );
}

export function RoleBadge(props: { role: string; testId?: string }) {
  return (
    <Badge tone={props.role === "owner" || props.role === "admin" ? "accent" : "neutral"} testId={props.testId}>
      {props.role}
    </Badge>
  );
}
