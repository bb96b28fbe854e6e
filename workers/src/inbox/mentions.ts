// Whether a chat line mentions the channel: `@handle` (Kick's username, YouTube's @handle) as a whole word, or, where a
// platform shows names rather than handles (YouTube's chat), the channel's display name as whole words. Case-insensitive,
// Unicode-aware: names are not only ASCII.

export interface ChannelNames {
  /** Without the leading @. */
  handle: string | null;
  displayName: string | null;
}

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const WORD = "\\p{L}\\p{N}_";

function wholeWord(text: string, phrase: string): boolean {
  return new RegExp(`(^|[^${WORD}])${phrase}(?![${WORD}])`, "iu").test(text);
}

export function mentionsChannel(text: string, names: ChannelNames): boolean {
  const handle = names.handle?.trim().replace(/^@/, "");
  if (handle && wholeWord(text, `@${literal(handle)}`)) return true;
  const display = names.displayName?.trim();
  // A display name of one or two characters would match ordinary words.
  return !!display && display.length >= 3 && wholeWord(text, `@?${literal(display)}`);
}
