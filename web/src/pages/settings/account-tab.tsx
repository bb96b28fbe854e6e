// Settings > Account: who you are signed in as, sign out here or on every device.
import { Card } from "../../ui/card.tsx";
import { createSignal, Show } from "solid-js";
import { signOut, signOutEverywhere } from "../../api/client.ts";
import { createMutation } from "../../api/mutation.ts";
import { useSession } from "../../session/session.tsx";
import { Avatar } from "../../ui/avatar.tsx";
import { InlineError } from "../../ui/boundary.tsx";
import { ConfirmDialog } from "../../ui/dialog.tsx";

/** A full page load after signing out, so nothing of the previous session stays in memory. */
function startOver() {
  window.location.assign("/");
}

export default function AccountTab() {
  const session = useSession();
  const [confirmAll, setConfirmAll] = createSignal(false);
  const signOutHere = createMutation(signOut, () => []);

  async function leave() {
    if (await signOutHere.run()) startOver();
  }

  return (
    <>
      <Card title="Account" description="Your identity comes from Discord sign-in (or the first-run bootstrap link).">
        <div class="card-body">
          <div class="person">
            <Avatar name={session.me().user.name} url={session.me().user.avatarUrl} size={44} />
            <div>
              <div style={{ "font-weight": 600 }} data-testid="account-name">
                {session.me().user.name}
              </div>
              <div class="faint">
                <code>{session.me().user.id}</code>
              </div>
            </div>
          </div>
          <dl class="kv">
            <dt>Tenants</dt>
            <dd>{session.me().tenants.map((t) => `${t.name} (${t.role})`).join(", ") || "None yet"}</dd>
          </dl>
        </div>
      </Card>
      <Card title="Sessions" description="Sign out of this browser, or end every session you have on every device.">
        <div class="card-body">
          <div class="form-actions">
            <button type="button" class="btn" data-testid="sign-out" onClick={leave} disabled={signOutHere.pending()}>
              {signOutHere.pending() ? "Signing out…" : "Sign out"}
            </button>
            <button type="button" class="btn btn-ghost-danger" data-testid="sign-out-everywhere" onClick={() => setConfirmAll(true)}>
              Sign out everywhere
            </button>
          </div>
          <Show when={signOutHere.error()}>{(err) => <InlineError error={err()} />}</Show>
        </div>
      </Card>
      <ConfirmDialog
        open={confirmAll()}
        title="Sign out everywhere?"
        message="Every session you have, on every device and browser, ends now, including this one. API tokens keep working; revoke them separately."
        confirmLabel="Sign out everywhere"
        onConfirm={async () => {
          await signOutEverywhere();
          startOver();
        }}
        onClose={() => setConfirmAll(false)}
      />
    </>
  );
}
