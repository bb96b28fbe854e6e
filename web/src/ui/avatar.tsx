// A user's avatar (Discord CDN image) or their initials when there is none.
import { Show } from "solid-js";

export function Avatar(props: { name: string; url: string | null; size?: number }) {
  const size = () => props.size ?? 28;
  const initials = () =>
    props.name
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((w) => w[0]?.toUpperCase() ?? "")
      .join("") || "?";
  return (
    <Show
      when={props.url}
      fallback={
        <span class="avatar" style={{ width: `${size()}px`, height: `${size()}px`, "font-size": `${Math.round(size() * 0.4)}px` }} aria-hidden="true">
          {initials()}
        </span>
      }
    >
      {(url) => <img class="avatar" src={url()} alt="" width={size()} height={size()} referrerpolicy="no-referrer" />}
    </Show>
  );
}
