// Alert notifications as Discord embeds (severity colour; resolved in green with how long it lasted), ready for the outbox.
import type { DiscordEmbed } from "../discord-rest/discord-rest.ts";
import type { OutboxItem } from "../outbox/outbox-item.ts";
import type { AlertNotification } from "./engine.ts";
import type { Severity } from "./rules.ts";

export const SEVERITY_COLOURS: Record<Severity, number> = { critical: 0xe74c3c, warning: 0xf1c40f, info: 0x3498db };
export const RESOLVED_COLOUR = 0x2ecc71;

/** "1h 5m", "3m 20s", "45s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = d ? [`${d}d`, `${h}h`] : h ? [`${h}h`, `${m}m`] : m ? [`${m}m`, `${s % 60}s`] : [`${s}s`];
  return parts.filter((p) => !/^0[a-z]$/.test(p) || parts.length === 1).join(" ");
}

const formatValue = (v: number | null) => (v === null ? "no data" : Number.isInteger(v) ? String(v) : v.toFixed(2));
// Discord: embed titles hold 256 characters, field values 1024.
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export function alertEmbed(n: AlertNotification): DiscordEmbed {
  const resolved = n.transition === "resolved";
  const verb = resolved ? "Resolved" : n.transition === "repeat" ? "Still firing" : "Firing";
  const threshold = `${n.comparison} ${n.threshold}${n.clearThreshold === undefined ? "" : ` (clears past ${n.clearThreshold})`}`;
  const fields = [
    { name: "Host", value: clip(n.host.name, 1024), inline: true },
    { name: "Severity", value: n.severity, inline: true },
    { name: "Metric", value: clip(`\`${n.metric}\``, 1024), inline: false },
    { name: "Value", value: formatValue(n.value), inline: true },
    { name: "Threshold", value: threshold, inline: true },
  ];
  if (resolved) fields.push({ name: "Duration", value: formatDuration(n.at - n.firingSince), inline: true });
  else if (n.transition === "repeat") fields.push({ name: "Firing for", value: formatDuration(n.at - n.firingSince), inline: true });
  return {
    title: clip(`${verb}: ${n.ruleName}`, 256),
    color: resolved ? RESOLVED_COLOUR : SEVERITY_COLOURS[n.severity],
    fields,
    timestamp: new Date(n.at).toISOString(),
    footer: { text: n.transition === "repeat" ? `Nebula Command alerts · repeat ${n.repeat ?? 1}` : "Nebula Command alerts" },
  };
}

/**
 * The outbox item for an alert notification; its id is the notification's, so re-evaluations never double it.
 * A sealed webhook destination must have been unsealed into a URL first (the sender does that at enqueue time).
 */
export function alertOutboxItem(n: AlertNotification): OutboxItem {
  const destination = n.destination;
  if ("secretName" in destination) throw new Error(`alert ${n.id}: unseal the webhook destination before enqueuing`);
  return { id: n.id, destination, message: { embeds: [alertEmbed(n)], allowed_mentions: { parse: [] } } };
}
