// A user's avatar (Discord CDN image) or their initials when there is none, or when the image fails to load (an
// expired CDN link, a platform that is down): a broken-image icon says nothing about whose avatar it was.
import { createSignal, Show } from "solid-js";

export function Avatar(props: { name: string; url: string | null; size?: number }) {
  const size = () => props.size ?? 28;
  const [failed, setFailed] = createSignal<string | null>(null);
  const initials = () =>
    props.name
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((w) => w[0]?.toUpperCase() ?? "")
      .join("") || "?";
  return (
    <Show
      when={props.url !== failed() && props.url}
      fallback={
        <span class="avatar" style={{ width: `${size()}px`, height: `${size()}px`, "font-size": `${Math.round(size() * 0.4)}px` }} aria-hidden="true">
          {initials()}
        </span>
      }
    >
      {(url) => (
        <img class="avatar" src={url()} alt="" width={size()} height={size()} referrerpolicy="no-referrer" onError={() => setFailed(url())} data-testid="avatar-image" />
      )}
    </Show>
  );
}
