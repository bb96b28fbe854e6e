// Alert templates: "{user} cheered {amount} bits" filled from an alert event. Unknown {names} stay as written, so a
// typo shows up in the preview instead of vanishing.
import type { AlertEvent } from "@nebula/schema/wire/overlay";

export function fillTemplate(template: string, event: AlertEvent): string {
  const values: Record<string, string | null> = {
    user: event.user,
    amount: event.amount === null ? null : String(event.amount),
    currency: event.currency,
    count: event.count === null ? null : String(event.count),
    months: event.months === null ? null : String(event.months),
    message: event.message,
    platform: event.platform,
  };
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? (values[name] ?? "") : whole));
}

export const KIND_LABELS: Record<AlertEvent["kind"], string> = {
  follow: "Follow",
  sub: "Subscription",
  resub: "Resubscription",
  giftsub: "Gift subs",
  cheer: "Cheer",
  raid: "Raid",
  donation: "Donation",
  superchat: "Super Chat",
  membership: "Membership",
};

/** One line for an event list: "TestViewer · cheer 500". */
export function eventLine(event: AlertEvent): string {
  const detail = event.amount !== null ? ` ${event.currency ? `${event.currency} ` : ""}${event.amount}` : event.count !== null ? ` ×${event.count}` : event.months !== null ? ` ${event.months} mo` : "";
  return `${event.user} · ${KIND_LABELS[event.kind].toLowerCase()}${detail}`;
}

/** A sample event of a kind, for the editor's preview (the API's test alerts are the same). */
export { sampleAlert } from "@nebula/schema/wire/overlay-constants";
