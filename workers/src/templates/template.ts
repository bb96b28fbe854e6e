// The one placeholder language of Nebula's Discord messages (welcome, custom commands; go-live and tickets later):
// `{user}`, `{user.name}`, `{option.reason}`, `{random:a|b|c}`, `{{`/`}}` for literal braces. Rendering is pure and
// never fails: a placeholder with no value stays visible as written, so a typo shows up in the message instead of
// vanishing. Validation (for the dashboard and the API) reports what rendering forgives: unclosed braces are errors,
// unknown variables warnings.
//
//   renderTemplate(template, values, { random? }) -> string      values: { "user.name": "Ada", "memberCount": 42 }
//   validateTemplate(template, { variables, prefixes? }) -> { errors, warnings }   (TemplateIssue: index, message)
//   neutralizeMentions(text) -> text with @everyone/@here broken by a zero-width space (for user-controlled values)
//
// Substituted values pass through neutralizeMentions: a member named "@everyone" cannot smuggle a mass ping into a
// message. allowed_mentions (set on every message Nebula sends) is the real guard; this keeps the text honest too.

export type TemplateValue = string | number | null | undefined;
export type TemplateValues = Readonly<Record<string, TemplateValue>>;

export interface RenderOptions {
  /** [0, 1) source for {random:…}; tests pass a seeded one. */
  random?: () => number;
}

export interface TemplateIssue {
  /** Offset of the offending `{` in the template. */
  index: number;
  message: string;
}

export interface TemplateCheck {
  errors: TemplateIssue[];
  warnings: TemplateIssue[];
}

export interface TemplateVocabulary {
  /** Variable names known in this context ("user", "user.mention", "memberCount", ...). */
  variables: readonly string[];
  /** Families of names known by prefix ("option." for slash command options). */
  prefixes?: readonly string[];
}

/** Placeholder names: letters, digits, `_`, `-`, separated by dots ("user.name", "option.target-user"). */
const NAME = /^[A-Za-z_][\w-]*(\.[\w-]+)*$/;
const RANDOM_PREFIX = "random:";

type Token = { kind: "text"; text: string } | { kind: "placeholder"; body: string; raw: string; index: number } | { kind: "unclosed"; raw: string; index: number };

/** Splits a template into text and `{…}` placeholders; `{{` and `}}` are literal braces. */
function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  let text = "";
  let i = 0;
  while (i < template.length) {
    const ch = template[i];
    if (ch === "{" && template[i + 1] === "{") {
      text += "{";
      i += 2;
      continue;
    }
    if (ch === "}" && template[i + 1] === "}") {
      text += "}";
      i += 2;
      continue;
    }
    if (ch !== "{") {
      text += ch;
      i += 1;
      continue;
    }
    const close = template.indexOf("}", i + 1);
    const nextOpen = template.indexOf("{", i + 1);
    if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
      // "{ without }" before the next "{": an unclosed brace, rendered as written.
      if (text) tokens.push({ kind: "text", text });
      text = "";
      const end = nextOpen >= 0 && (close < 0 || nextOpen < close) ? nextOpen : template.length;
      tokens.push({ kind: "unclosed", raw: template.slice(i, end), index: i });
      i = end;
      continue;
    }
    if (text) tokens.push({ kind: "text", text });
    text = "";
    tokens.push({ kind: "placeholder", body: template.slice(i + 1, close), raw: template.slice(i, close + 1), index: i });
    i = close + 1;
  }
  if (text) tokens.push({ kind: "text", text });
  return tokens;
}

/** Breaks @everyone and @here with a zero-width space, so the text cannot read as a mass mention. */
export function neutralizeMentions(text: string): string {
  return text.replace(/@(everyone|here)/g, "@\u200b$1");
}

function randomChoices(body: string): string[] {
  return body.slice(RANDOM_PREFIX.length).split("|");
}

export function renderTemplate(template: string, values: TemplateValues, options: RenderOptions = {}): string {
  const random = options.random ?? Math.random;
  let out = "";
  for (const token of tokenize(template)) {
    if (token.kind === "text") out += token.text;
    else if (token.kind === "unclosed") out += token.raw;
    else if (token.body.startsWith(RANDOM_PREFIX)) {
      const choices = randomChoices(token.body);
      out += choices[Math.min(choices.length - 1, Math.floor(random() * choices.length))] ?? "";
    } else {
      const name = token.body.trim();
      const value = Object.hasOwn(values, name) ? values[name] : undefined;
      out += value === undefined || value === null ? token.raw : neutralizeMentions(String(value));
    }
  }
  return out;
}

function known(name: string, vocabulary: TemplateVocabulary): boolean {
  return vocabulary.variables.includes(name) || (vocabulary.prefixes ?? []).some((p) => name.startsWith(p) && name.length > p.length);
}

export function validateTemplate(template: string, vocabulary: TemplateVocabulary): TemplateCheck {
  const errors: TemplateIssue[] = [];
  const warnings: TemplateIssue[] = [];
  for (const token of tokenize(template)) {
    if (token.kind === "unclosed") {
      errors.push({ index: token.index, message: `Unclosed "{" at position ${token.index + 1}: close it with "}", or write "{{" for a literal brace` });
      continue;
    }
    if (token.kind !== "placeholder") continue;
    const body = token.body.trim();
    if (body.startsWith(RANDOM_PREFIX)) {
      const choices = randomChoices(token.body);
      if (choices.length < 2 || choices.some((c) => c.length === 0)) {
        errors.push({ index: token.index, message: `${token.raw}: {random:…} needs at least two non-empty choices separated by "|"` });
      }
      continue;
    }
    if (!body) {
      errors.push({ index: token.index, message: `Empty placeholder "{}" at position ${token.index + 1}` });
      continue;
    }
    if (!NAME.test(body) || !known(body, vocabulary)) {
      warnings.push({ index: token.index, message: `Unknown variable ${token.raw}: it will appear as written` });
    }
  }
  return { errors, warnings };
}

/** The placeholder names a template uses (for "which options does this response read?"). */
export function placeholdersOf(template: string): string[] {
  const names = new Set<string>();
  for (const token of tokenize(template)) if (token.kind === "placeholder" && !token.body.startsWith(RANDOM_PREFIX)) names.add(token.body.trim());
  return [...names];
}
