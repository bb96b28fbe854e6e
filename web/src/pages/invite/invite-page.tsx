// /invite/:token: join a tenant. Signed out, it explains signing in first and remembers the invite so the
// app comes back here after Discord sign-in and finishes joining.
import { createAsync, useNavigate, useParams } from "@solidjs/router";
import { onMount, Show } from "solid-js";
import { acceptInvite, ApiError, getInvitePreview, getMe } from "../../api/client.ts";
import { createMutation } from "../../api/mutation.ts";
import { forgetInvite, pendingInvite, rememberInvite } from "../../session/pending-invite.ts";
import { CenteredCard, DiscordSignIn } from "../../session/signed-out-screen.tsx";
import { ErrorPanel } from "../../ui/boundary.tsx";
import { MailIcon, NebulaMark } from "../../ui/icons.tsx";

function SignedOutInvite(props: { token: string }) {
  onMount(() => rememberInvite(props.token));
  return (
    <CenteredCard testId="invite-signed-out">
      <NebulaMark />
      <h1>You're invited</h1>
      <p class="muted">Someone invited you to their tenant on Nebula Command. Sign in first; you'll come back here to finish joining.</p>
      <DiscordSignIn returnTo={`/invite/${encodeURIComponent(props.token)}`} onBeforeSignIn={() => rememberInvite(props.token)} />
      <p class="auth-note">Joining needs an account. If Discord sign-in is not available, ask whoever sent the link.</p>
    </CenteredCard>
  );
}

function JoinInvite(props: { token: string }) {
  const navigate = useNavigate();
  // What the link offers; a dead link shows its error here before anyone clicks.
  const preview = createAsync(() => getInvitePreview(props.token).catch((err: unknown) => (err instanceof ApiError ? err : Promise.reject(err))));
  const offer = () => {
    const p = preview();
    return p && !(p instanceof ApiError) ? p : undefined;
  };
  const deadLink = () => {
    const p = preview();
    return p instanceof ApiError ? p : undefined;
  };
  // Joining changes the tenant list and the active tenant: refetch everything.
  const join = createMutation(acceptInvite, () => undefined);

  // Invalid, used up or expired (any 4xx): a retry cannot help.
  const hopeless = () => {
    const err = join.error();
    return err instanceof ApiError && err.status >= 400 && err.status < 500;
  };

  async function accept() {
    if (await join.run(props.token)) {
      forgetInvite();
      navigate("/", { replace: true });
      return;
    }
    // Stop coming back to a link that cannot work.
    if (hopeless()) forgetInvite();
  }

  // Back from signing in for this very invite: the user already asked to join, so finish.
  onMount(() => {
    if (pendingInvite() === props.token) void accept();
  });

  return (
    <div class="page" style={{ "max-width": "520px" }}>
      <section class="card" data-testid="invite-join">
        <div class="card-body" style={{ "align-items": "center", "text-align": "center", padding: "32px 28px" }}>
          <span class="empty-icon">
            <MailIcon size={20} />
          </span>
          <h1 data-testid="invite-title">{offer() ? `Join ${offer()?.tenant.name}` : "Join tenant"}</h1>
          <Show
            when={offer()}
            fallback={<p class="muted">You've been invited to a tenant on Nebula Command. Joining adds it to your tenants and switches to it.</p>}
          >
            {(o) => (
              <p class="muted">
                You've been invited as <strong>{o().role}</strong>.{" "}
                {o().currentRole ? `You are already a member (${o().currentRole}); joining changes nothing.` : "Joining adds it to your tenants and switches to it."}
              </p>
            )}
          </Show>
          <Show when={deadLink()}>{(err) => <ErrorPanel title="This invite cannot be used" error={err()} />}</Show>
          <Show when={join.error()}>{(err) => <ErrorPanel title="Could not join" error={err()} />}</Show>
          <div class="form-actions">
            <Show when={!hopeless() && !deadLink()}>
              <button type="button" class="btn btn-primary btn-lg" data-testid="accept-invite" onClick={accept} disabled={join.pending()}>
                {join.pending() ? "Joining…" : "Join tenant"}
              </button>
            </Show>
            <button
              type="button"
              class={`btn btn-lg ${hopeless() ? "btn-primary" : "btn-ghost"}`}
              onClick={() => {
                forgetInvite();
                navigate("/");
              }}
            >
              {hopeless() ? "Go to the dashboard" : "Not now"}
            </button>
          </div>
        </div>
      </section>
    </div>
  );
}

export default function InvitePage() {
  const params = useParams<{ token: string }>();
  const me = createAsync(() => getMe());
  return (
    <Show when={me() !== undefined}>
      <Show when={me()} fallback={<SignedOutInvite token={params.token} />}>
        <JoinInvite token={params.token} />
      </Show>
    </Show>
  );
}
