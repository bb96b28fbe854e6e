// What a signed-out visitor sees: the product, Discord sign-in when the server has it, and how the first
// owner gets in (the bootstrap link printed by `npm start`).
import { createAsync } from "@solidjs/router";
import { ErrorBoundary, type JSX, Show, Suspense } from "solid-js";
import { discordSignInHref, getHealth } from "../api/client.ts";
import { InlineError } from "../ui/boundary.tsx";
import { DiscordIcon, NebulaMark } from "../ui/icons.tsx";

/** The Discord button when the server has Discord sign-in configured, otherwise a note saying so. */
export function DiscordSignIn(props: { returnTo?: string; onBeforeSignIn?: () => void }) {
  const health = createAsync(() => getHealth());
  return (
    <ErrorBoundary fallback={(err) => <InlineError error={err} />}>
      <Suspense fallback={<div class="skeleton" style={{ width: "100%", height: "40px" }} />}>
        <Show
          when={health()?.discord.signIn}
          fallback={
            <p class="muted" data-testid="discord-signin-disabled">
              Sign-in with Discord is not enabled on this server (set <code>DISCORD_CLIENT_ID</code> and{" "}
              <code>DISCORD_CLIENT_SECRET</code>).
            </p>
          }
        >
          <a class="btn btn-discord btn-lg" href={discordSignInHref(props.returnTo)} data-testid="discord-signin" onClick={() => props.onBeforeSignIn?.()}>
            <DiscordIcon size={18} />
            Sign in with Discord
          </a>
        </Show>
      </Suspense>
    </ErrorBoundary>
  );
}

export function CenteredCard(props: { children: JSX.Element; testId?: string }) {
  return (
    <div class="center-screen">
      <section class="card auth-card" data-testid={props.testId}>
        {props.children}
      </section>
    </div>
  );
}

export function SignedOutScreen() {
  return (
    <CenteredCard testId="signed-out">
      <NebulaMark />
      <h1>Nebula Command</h1>
      <p class="muted">One control plane for your homelab, your Discord community and your streams.</p>
      <DiscordSignIn />
      <p class="auth-note">
        Setting up a new server? The first owner signs in with the one-time bootstrap link that <code>npm start</code> prints in
        the terminal.
      </p>
    </CenteredCard>
  );
}
