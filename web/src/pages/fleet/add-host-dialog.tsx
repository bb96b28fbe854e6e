// "Add host": names a new host, then either shows one command that installs the agent and enrolls it with a
// short-lived code (admins), or, the manual way, shows the agent's token once with the command that starts it.
import type { CreatedEnrollment } from "@nebula/schema/api/enrollment";
import { createSignal, For, Match, onCleanup, onMount, Show, Switch } from "solid-js";
import { createAgent, createEnrollment, getAgents, getAuditPage } from "../../api/client.ts";
import { createMutation } from "../../api/mutation.ts";
import { useSession } from "../../session/session.tsx";
import { InlineError } from "../../ui/boundary.tsx";
import { CopyField } from "../../ui/copy-field.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { AlertIcon } from "../../ui/icons.tsx";

export function agentRunCommand(origin: string, token: string): string {
  return `NEBULA_EDGE_URL=${origin} NEBULA_AGENT_TOKEN=${token} npx tsx agent/src/main.ts`;
}

/** "expires in 14 min", "expires in 40 s", "expired": how long an install code still works. */
export function expiresIn(expiresAt: string, now: number): string {
  const seconds = Math.floor((new Date(expiresAt).getTime() - now) / 1000);
  if (seconds <= 0) return "expired";
  return seconds >= 60 ? `expires in ${Math.floor(seconds / 60)} min` : `expires in ${seconds} s`;
}

type Mode = "command" | "manual";
const MODES: { value: Mode; label: string }[] = [
  { value: "command", label: "Install with one command" },
  { value: "manual", label: "Manual (agent token)" },
];

function Countdown(props: { expiresAt: string }) {
  const [now, setNow] = createSignal(Date.now());
  onMount(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    onCleanup(() => clearInterval(timer));
  });
  const left = () => expiresIn(props.expiresAt, now());
  return (
    <span class={left() === "expired" ? "inline-error" : "field-hint"} data-testid="enrollment-expiry" data-expired={left() === "expired"}>
      Single use; {left() === "expired" ? "this code has expired: close and add the host again" : left()}.
    </span>
  );
}

function EnrollmentResult(props: { name: string; enrollment: CreatedEnrollment; onDone: () => void }) {
  return (
    <div class="stack" data-testid="enrollment-created">
      <p>
        Run this on <strong>{props.name}</strong> as a user who can <code>sudo</code>. It installs the agent as a service and enrolls it in
        this tenant; the host appears in the fleet once the agent connects.
      </p>
      <div class="field">
        <span class="field-label">Install command</span>
        <CopyField value={props.enrollment.installCommand} label="install command" testId="install-command" />
        <Countdown expiresAt={props.enrollment.expiresAt} />
      </div>
      <div class="dialog-actions">
        <button type="button" class="btn btn-primary" onClick={() => props.onDone()}>
          Done
        </button>
      </div>
    </div>
  );
}

function TokenResult(props: { created: { agent: { name: string }; token: string }; onDone: () => void }) {
  return (
    <div class="stack" data-testid="host-created">
      <div class="notice notice-warning">
        <AlertIcon size={14} />
        <span>
          This is the only time the token of <strong>{props.created.agent.name}</strong> is shown. Only a hash is stored; if you lose it, revoke
          the host and add it again.
        </span>
      </div>
      <div class="field">
        <span class="field-label">Agent token</span>
        <CopyField value={props.created.token} label="agent token" testId="agent-token" />
      </div>
      <div class="field">
        <span class="field-label">Run on the host, from a checkout of Nebula Command</span>
        <CopyField value={agentRunCommand(window.location.origin, props.created.token)} label="agent command" testId="agent-command" />
      </div>
      <div class="dialog-actions">
        <button type="button" class="btn btn-primary" onClick={() => props.onDone()}>
          I've copied it
        </button>
      </div>
    </div>
  );
}

export function AddHostDialog(props: { tenantId: string; open: boolean; onClose: () => void }) {
  const session = useSession();
  const canEnroll = () => session.can("agents.create");
  const [name, setName] = createSignal("");
  const [mode, setMode] = createSignal<Mode>("command");
  const effectiveMode = (): Mode => (canEnroll() ? mode() : "manual");
  const create = createMutation(createAgent, (tenantId) => [getAgents.keyFor(tenantId), getAuditPage.key]);
  // A code makes no agent yet (the host does, when it trades the code), so nothing is revalidated.
  const enroll = createMutation(createEnrollment, () => []);
  const pending = () => create.pending() || enroll.pending();

  function close() {
    setName("");
    setMode("command");
    create.reset();
    enroll.reset();
    props.onClose();
  }

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    if (effectiveMode() === "command") await enroll.run(props.tenantId, name().trim());
    else await create.run(props.tenantId, name().trim());
  }

  const title = () => (enroll.result() ? "Install the agent on your host" : create.result() ? "Start the agent on your host" : "Add host");

  return (
    <Dialog open={props.open} title={title()} onClose={close} testId="add-host-dialog">
      <Switch
        fallback={
          <form onSubmit={submit} style={{ display: "flex", "flex-direction": "column", gap: "14px" }}>
            <p>Each host runs the Nebula agent, which dials out to this server: nothing on your network needs to be opened.</p>
            <Show when={canEnroll()}>
              <fieldset class="segmented">
                <legend class="sr-only">How to install the agent</legend>
                <For each={MODES}>
                  {(m) => (
                    <button
                      type="button"
                      class="segment"
                      classList={{ active: mode() === m.value }}
                      aria-pressed={mode() === m.value}
                      data-testid={`add-host-mode-${m.value}`}
                      onClick={() => {
                        setMode(m.value);
                        create.reset();
                        enroll.reset();
                      }}
                    >
                      {m.label}
                    </button>
                  )}
                </For>
              </fieldset>
            </Show>
            <label class="field">
              <span>Host name</span>
              <input
                class="input"
                name="host-name"
                placeholder="e.g. homelab"
                required
                maxLength={80}
                autofocus
                value={name()}
                onInput={(e) => setName(e.currentTarget.value)}
              />
              <span class="field-hint">
                {effectiveMode() === "command"
                  ? "You get a command with a single-use code, valid for 15 minutes: run it on the host (Linux with systemd)."
                  : "You get the agent's token, shown once, and the command that runs the agent from a checkout of Nebula Command."}
              </span>
            </label>
            <Show when={create.error() ?? enroll.error()}>{(err) => <InlineError error={err()} />}</Show>
            <div class="dialog-actions">
              <button type="button" class="btn" onClick={close}>
                Cancel
              </button>
              <Show
                when={effectiveMode() === "command"}
                fallback={
                  <button type="submit" class="btn btn-primary" data-testid="create-host" disabled={pending() || !name().trim()}>
                    {create.pending() ? "Creating…" : "Create host"}
                  </button>
                }
              >
                <button type="submit" class="btn btn-primary" data-testid="create-enrollment" disabled={pending() || !name().trim()}>
                  {enroll.pending() ? "Creating…" : "Get install command"}
                </button>
              </Show>
            </div>
          </form>
        }
      >
        <Match when={enroll.result()}>{(enrollment) => <EnrollmentResult name={name().trim()} enrollment={enrollment()} onDone={close} />}</Match>
        <Match when={create.result()}>{(created) => <TokenResult created={created()} onDone={close} />}</Match>
      </Switch>
    </Dialog>
  );
}
