// The chat bot's anti-spam rules as pure functions: given a message, the tenant's settings and what we remember of
// this chatter (their recent messages, an active !permit), the first rule the message breaks, or null. Emotes are
// fragments of their own and never count as text: "KEKW LUL OMEGALUL" is three emotes, not shouting (the caps false
// positive other bots are known for). Escalation (which action the n-th strike gets) is here too.
import type { ChatRole, ModerationRule, api } from "@nebula/schema";
import type { ChatMessage } from "./chat-message.ts";

export interface RecentLine {
  /** Normalized text (normalizeForRepeat). */
  text: string;
  /** Epoch ms. */
  at: number;
}

export interface ChatterState {
  recent: RecentLine[];
  /** A moderator's !permit for this chatter is running. */
  permitted: boolean;
  now: number;
}

export interface Violation {
  rule: ModerationRule;
  /** Said to the chatter in a warning. */
  reason: string;
}

/** Regex input is capped: Twitch's own limit is 500 characters, and patterns run on every message. */
const PATTERN_INPUT_MAX = 500;
/** Levenshtein is O(n·m): near-duplicates compare the first 200 characters. */
const SIMILARITY_MAX = 200;

export function isExempt(roles: readonly ChatRole[], exempt: readonly ChatRole[]): boolean {
  return roles.some((r) => exempt.includes(r));
}

/** The message's own words: text and cheermote fragments, without emotes and @mentions. */
export function wordsOf(message: ChatMessage): string {
  return message.fragments
    .filter((f) => f.type === "text" || f.type === "cheermote")
    .map((f) => f.text)
    .join(" ");
}

// ---- links ----

// Bare domains are only links with a TLD people actually use in chat spam; "e.g." or "lol.wut" are not.
const TLDS = "com|net|org|io|tv|gg|co|me|ly|be|xyz|ru|de|uk|info|biz|app|dev|link|to|gl|it|cc|site|online|live|stream|shop|store|club|fun|top|us|ca|fr|nl|eu|pl|br|in|es|gift|ws|sh|su|click|ai|pro|win|vip";
const LINK = new RegExp(`\\b(?:https?:\\/\\/)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+(?:${TLDS}))\\b(?::\\d+)?(?:\\/\\S*)?`, "gi");
const SCHEME_LINK = /\bhttps?:\/\/([a-z0-9.-]+)/gi;

export function linkDomains(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(LINK)) found.add((m[1] as string).toLowerCase());
  for (const m of text.matchAll(SCHEME_LINK)) found.add((m[1] as string).toLowerCase().replace(/\.$/, ""));
  return [...found];
}

export function domainAllowed(domain: string, allowed: readonly string[]): boolean {
  const d = domain.replace(/^www\./, "");
  return allowed.some((a) => d === a || d.endsWith(`.${a}`));
}

// ---- caps, symbols, emotes, zalgo ----

/** Share of cased letters that are uppercase, and how many cased letters there are. */
export function capsRatio(text: string): { letters: number; ratio: number } {
  let letters = 0;
  let upper = 0;
  for (const ch of text) {
    const lo = ch.toLowerCase();
    const up = ch.toUpperCase();
    if (lo === up) continue;
    letters++;
    if (ch === up) upper++;
  }
  return { letters, ratio: letters === 0 ? 0 : upper / letters };
}

/** Share of visible characters that are neither letters nor digits (emoji count as symbols). */
export function symbolRatio(text: string): { visible: number; ratio: number } {
  let visible = 0;
  let symbols = 0;
  for (const ch of text) {
    if (/\s/u.test(ch) || /\p{M}/u.test(ch)) continue;
    visible++;
    if (!/[\p{L}\p{N}]/u.test(ch)) symbols++;
  }
  return { visible, ratio: visible === 0 ? 0 : symbols / visible };
}

const EMOJI = /\p{Extended_Pictographic}/gu;

export function emoteCount(message: ChatMessage): number {
  return message.fragments.filter((f) => f.type === "emote").length + (wordsOf(message).match(EMOJI)?.length ?? 0);
}

/** The longest run of combining marks on one character (after NFC, so ordinary accents are precomposed). */
export function longestMarkRun(text: string): number {
  let longest = 0;
  let run = 0;
  for (const ch of text.normalize("NFC")) {
    if (/\p{M}/u.test(ch)) {
      run++;
      if (run > longest) longest = run;
    } else run = 0;
  }
  return longest;
}

// ---- banned words and patterns ----

/** Lowercase, accents stripped, anything but letters and digits a single space: "B.a.d  Wörd" → "b a d word". */
export function normalizeWords(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

export function bannedWordIn(text: string, words: readonly string[]): string | null {
  const hay = ` ${normalizeWords(text)} `;
  for (const word of words) {
    const needle = normalizeWords(word);
    if (needle && hay.includes(` ${needle} `)) return word;
  }
  return null;
}

const compiled = new Map<string, RegExp>();
function patternOf(source: string): RegExp {
  let re = compiled.get(source);
  if (!re) {
    re = new RegExp(source, "iu");
    if (compiled.size > 1000) compiled.clear();
    compiled.set(source, re);
  }
  return re;
}

export function bannedPatternIn(text: string, patterns: readonly string[]): string | null {
  const input = text.slice(0, PATTERN_INPUT_MAX);
  return patterns.find((p) => patternOf(p).test(input)) ?? null;
}

// ---- repeats and near-duplicates ----

/** Lowercase letters and digits, whitespace collapsed, runs of one character cut to two ("heyyyyy" ≈ "heyy"). */
export function normalizeForRepeat(text: string): string {
  return normalizeWords(text)
    .replace(/(.)\1{2,}/gu, "$1$1")
    .slice(0, SIMILARITY_MAX);
}

/** 1 for equal strings, 0 for nothing in common: 1 - edit distance / longer length. */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const x = [...a];
  const y = [...b];
  if (x.length === 0 || y.length === 0) return 0;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return 1 - (prev[y.length] as number) / Math.max(x.length, y.length);
}

/** The chatter's recent lines still inside the window, plus this one (what to remember next). */
export function rememberLine(recent: readonly RecentLine[], line: RecentLine, windowMs: number, keep = 20): RecentLine[] {
  return [...recent.filter((r) => line.at - r.at < windowMs), line].slice(-keep);
}

// ---- the rules in order ----

export function checkMessage(message: ChatMessage, settings: api.AntiSpamSettings, state: ChatterState): Violation | null {
  if (!settings.enabled || isExempt(message.user.roles, settings.exemptRoles)) return null;
  const words = wordsOf(message);
  const { bannedWords, links, length, zalgo, caps, symbols, emotes, repeats } = settings;

  if (bannedWords.enabled && (bannedWordIn(message.text, bannedWords.words) || bannedPatternIn(message.text, bannedWords.patterns))) {
    return { rule: "banned_words", reason: "that language is not allowed here" };
  }
  if (links.enabled && !state.permitted) {
    const blocked = linkDomains(words).filter((d) => !domainAllowed(d, links.allowedDomains));
    if (blocked.length > 0) return { rule: "links", reason: "links need a moderator's !permit" };
  }
  if (length.enabled && [...message.text].length > length.maxCharacters) return { rule: "length", reason: `messages are limited to ${length.maxCharacters} characters` };
  if (zalgo.enabled && longestMarkRun(message.text) > zalgo.maxMarks) return { rule: "zalgo", reason: "no zalgo text" };
  if (caps.enabled) {
    const c = capsRatio(words);
    if (c.letters >= caps.minLetters && c.ratio > caps.maxRatio) return { rule: "caps", reason: "please don't shout" };
  }
  if (symbols.enabled) {
    const s = symbolRatio(words);
    if (s.visible >= symbols.minLength && s.ratio > symbols.maxRatio) return { rule: "symbols", reason: "too many symbols" };
  }
  if (emotes.enabled && emoteCount(message) > emotes.maxEmotes) return { rule: "emotes", reason: "too many emotes" };
  if (repeats.enabled) {
    const line = normalizeForRepeat(message.text);
    if (line.length > 0) {
      const windowMs = repeats.windowSeconds * 1000;
      const alike = state.recent.filter((r) => state.now - r.at < windowMs && similarity(r.text, line) >= repeats.similarity).length;
      if (alike >= repeats.maxRepeats) return { rule: "repeat", reason: "please don't repeat yourself" };
    }
  }
  return null;
}

/** Strike n (1-based) takes the n-th step; past the end, the last step again. */
export function stepForStrike(steps: readonly api.EscalationStep[], strike: number): api.EscalationStep {
  return steps[Math.min(Math.max(1, strike), steps.length) - 1] as api.EscalationStep;
}
