// Discord's markup for mentions, custom emoji and timestamps made readable: `<@123>` means nothing once a ticket's
// thread is gone, so each becomes what Discord's client shows (@name, @role, #channel, :emoji:, a date). Used where a
// transcript is stored (names as Discord had them at close) and by the dashboard for transcripts stored before that.
// What cannot be named says so instead of showing a bare id.

export interface MentionNames {
  /** User id → display name (from each message's `mentions`). */
  users: ReadonlyMap<string, string>;
  /** Role id → role name (from the guild). */
  roles: ReadonlyMap<string, string>;
  /** Channel id → channel name (from the guild's channel list). */
  channels: ReadonlyMap<string, string>;
}

/** Discord's message formatting: https://discord.com/developers/docs/reference#message-formatting */
const MARKUP = /<(@!?|@&|#)(\d{5,25})>|<a?:(\w{2,32}):\d{5,25}>|<t:(-?\d{1,13})(?::([tTdDfFR]))?>|<\/([\w -]{1,100}):\d{5,25}>/g;

const TWO = (n: number) => String(n).padStart(2, "0");

/** A timestamp tag as a transcript reader needs it: absolute, in UTC (relative "3 hours ago" is wrong by next week). */
function timestamp(seconds: number, style: string | undefined): string {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) return "(invalid date)";
  const date = `${d.getUTCFullYear()}-${TWO(d.getUTCMonth() + 1)}-${TWO(d.getUTCDate())}`;
  const time = `${TWO(d.getUTCHours())}:${TWO(d.getUTCMinutes())}`;
  if (style === "d" || style === "D") return date;
  if (style === "t" || style === "T") return `${time} UTC`;
  return `${date} ${time} UTC`;
}

export function readableMentions(text: string, names: MentionNames): string {
  if (!text.includes("<")) return text;
  return text.replace(MARKUP, (whole, kind: string | undefined, id: string | undefined, emoji: string | undefined, seconds: string | undefined, style: string | undefined, command: string | undefined) => {
    if (kind && id) {
      if (kind === "@&") return `@${names.roles.get(id) ?? "deleted-role"}`;
      if (kind === "#") return `#${names.channels.get(id) ?? "unknown-channel"}`;
      return `@${names.users.get(id) ?? "unknown-user"}`;
    }
    if (emoji) return `:${emoji}:`;
    if (seconds) return timestamp(Number(seconds), style);
    if (command) return `/${command}`;
    return whole;
  });
}

/**
 * Which of the guild's names the texts need: whether any role is mentioned, and the channels mentioned, so a
 * transcript without such mentions costs no extra call.
 */
export function needsGuildNames(texts: readonly string[]): { roles: boolean; channelIds: string[] } {
  const channelIds = new Set<string>();
  let roles = false;
  for (const text of texts) {
    for (const [, kind, id] of text.matchAll(MARKUP)) {
      if (kind === "@&") roles = true;
      else if (kind === "#" && id) channelIds.add(id);
    }
  }
  return { roles, channelIds: [...channelIds] };
}
