// Small pills for roles and statuses.
import type { JSX } from "solid-js";

export type BadgeTone = "neutral" | "accent" | "success" | "warning" | "danger";

/** `plain`: show the text as written (default capitalizes one-word values such as roles and statuses). */
export function Badge(props: { tone?: BadgeTone; children: JSX.Element; testId?: string; plain?: boolean }) {
  return (
    <span
      class={`badge${props.tone && props.tone !== "neutral" ? ` badge-${props.tone}` : ""}${props.plain ? "" : " badge-cap"}`}
      data-testid={props.testId}
    >
      {props.children}
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
