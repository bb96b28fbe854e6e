// `/?error=<code>`: the Worker's sign-in, bootstrap and invite redirects report failures this way.
import { useLocation, useSearchParams } from "@solidjs/router";
import { Show } from "solid-js";
import { AlertIcon, CloseIcon } from "../ui/icons.tsx";

const MESSAGES: Record<string, string> = {
  bootstrap_used: "That bootstrap link has already been used. Sign in with Discord, or ask an owner for an invite link.",
  bootstrap_invalid: "That bootstrap link is not valid. Use the link printed by `npm start` for this server.",
  discord_denied: "Discord sign-in was cancelled, so you were not signed in.",
  discord_disabled: "Sign-in with Discord is not enabled on this server.",
  oauth_failed: "Signing in with Discord failed. Please try again.",
  oauth_state: "Your sign-in attempt expired or was started in another tab. Please try again.",
  invite_invalid: "That invite link is invalid, expired or already used up. Ask for a new one.",
  session_expired: "Your session has expired. Please sign in again.",
};

export function signInErrorMessage(code: string): string {
  return MESSAGES[code] ?? `Something went wrong (${code}). Please try again.`;
}

export function SignInErrorBanner() {
  const location = useLocation();
  const [params, setParams] = useSearchParams<{ error?: string }>();
  const code = () => (location.pathname === "/" ? params.error : undefined);
  return (
    <Show when={code()}>
      {(c) => (
        <div class="banner banner-floating" role="alert" data-testid="error-banner">
          <AlertIcon size={18} />
          <span class="grow">{signInErrorMessage(c())}</span>
          <button type="button" class="icon-button" aria-label="Dismiss" onClick={() => setParams({ error: undefined }, { replace: true })}>
            <CloseIcon />
          </button>
        </div>
      )}
    </Show>
  );
}
