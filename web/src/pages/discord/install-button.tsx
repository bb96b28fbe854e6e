// "Add to server": asks the Worker for Discord's bot authorization link (a single-use state, 10 minutes) and goes
// there; Discord sends the browser back to /auth/discord/install/callback, which links the server and returns here.
import { createSignal, Show } from "solid-js";
import { getInstallUrl } from "../../api/discord.ts";
import { InlineError } from "../../ui/boundary.tsx";
import { PlusIcon } from "../../ui/icons.tsx";

export function InstallButton(props: { tenantId: string; label?: string; primary?: boolean }) {
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<unknown>();

  async function install() {
    setPending(true);
    setError(undefined);
    try {
      const { url } = await getInstallUrl(props.tenantId);
      window.location.assign(url);
    } catch (err) {
      setError(err);
      setPending(false);
    }
  }

  return (
    <div class="install-button">
      <button type="button" class={`btn btn-sm${props.primary ? " btn-primary" : ""}`} disabled={pending()} onClick={install} data-testid="discord-add-to-server">
        <PlusIcon size={14} /> {pending() ? "Opening Discord…" : (props.label ?? "Add to server")}
      </button>
      <Show when={error()}>{(err) => <InlineError error={err()} />}</Show>
    </div>
  );
}
