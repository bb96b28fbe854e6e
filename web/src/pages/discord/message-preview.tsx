// A message drawn the way Discord draws it (bot name with the APP tag, text, an embed with a colored edge), for
// live previews of templates. Text only: nothing in a template is ever parsed as HTML.
import { For, type JSX, Show } from "solid-js";

export interface PreviewEmbed {
  title?: string;
  description?: string;
  /** CSS color of the left edge. */
  color?: string;
  fields?: { name: string; value: string }[];
  imageUrl?: string | null;
  footer?: string;
}

/** Renders `<@&id>` / `<@id>` / `@everyone` as Discord's mention pills, the rest as plain text. */
function withMentions(text: string, names: (kind: "role" | "user", id: string) => string): JSX.Element[] {
  const parts: JSX.Element[] = [];
  const re = /<@(&?)(\d{5,25})>|@everyone|@here/g;
  let last = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    const label = m[2] ? `@${names(m[1] ? "role" : "user", m[2])}` : m[0];
    parts.push(<span class="dm-mention">{label}</span>);
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

export function DiscordMessagePreview(props: {
  content: string;
  embed?: PreviewEmbed | null;
  author?: string;
  names?: (kind: "role" | "user", id: string) => string;
  testId?: string;
}) {
  const names = (kind: "role" | "user", id: string) => props.names?.(kind, id) ?? (kind === "role" ? "role" : "member");
  return (
    <div class="discord-message" data-testid={props.testId}>
      <span class="dm-avatar" aria-hidden="true" />
      <div class="grow">
        <div>
          <span class="dm-name">{props.author ?? "Nebula"}</span>
          <span class="dm-app">APP</span> <span class="dm-muted">Today at 20:00</span>
        </div>
        <Show when={props.content}>
          <div class="dm-text" data-testid={props.testId ? `${props.testId}-text` : undefined}>
            {withMentions(props.content, names)}
          </div>
        </Show>
        <Show when={props.embed}>
          {(e) => (
            <div class="dm-embed" style={{ "border-left-color": e().color ?? "#9146ff" }}>
              <Show when={e().title}>
                <div class="dm-embed-title">{e().title}</div>
              </Show>
              <Show when={e().description}>
                <div class="dm-text">{withMentions(e().description ?? "", names)}</div>
              </Show>
              <For each={e().fields ?? []}>
                {(f) => (
                  <div>
                    <strong>{f.name}</strong>
                    <div>{f.value}</div>
                  </div>
                )}
              </For>
              <Show when={e().imageUrl}>{(src) => <img class="dm-embed-image" src={src()} alt="" referrerpolicy="no-referrer" />}</Show>
              <Show when={e().footer}>
                <div class="dm-muted">{e().footer}</div>
              </Show>
            </div>
          )}
        </Show>
      </div>
    </div>
  );
}

/** Inserts `{name}` buttons for a template's variables, with what each becomes. */
export function TemplateVariables(props: { variables: readonly { name: string; what: string }[]; onInsert: (token: string) => void }) {
  return (
    <div class="variables" data-testid="template-variables">
      <For each={props.variables}>
        {(v) => (
          <button type="button" class="btn btn-sm" title={v.what} onClick={() => props.onInsert(`{${v.name}}`)}>
            {`{${v.name}}`}
          </button>
        )}
      </For>
    </div>
  );
}

/** Puts `token` at the caret of a template field (replacing a selection) and keeps typing there. */
export function insertAtCursor(el: HTMLTextAreaElement | HTMLInputElement, token: string, set: (value: string) => void) {
  const value = el.value;
  const start = el.selectionStart ?? value.length;
  const end = el.selectionEnd ?? start;
  set(value.slice(0, start) + token + value.slice(end));
  el.focus();
  el.setSelectionRange(start + token.length, start + token.length);
}
