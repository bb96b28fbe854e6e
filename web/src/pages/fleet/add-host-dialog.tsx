// "Add host": names a new agent, then shows its token once with the command that starts the agent on the host.
import { createSignal, Show } from "solid-js";
import { createAgent, getAgents, getAuditPage } from "../../api/client.ts";
import { createMutation } from "../../api/mutation.ts";
import { InlineError } from "../../ui/boundary.tsx";
import { CopyField } from "../../ui/copy-field.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { AlertIcon } from "../../ui/icons.tsx";

export function agentRunCommand(origin: string, token: string): string {
  return `NEBULA_EDGE_URL=${origin} NEBULA_AGENT_TOKEN=${token} npx tsx agent/src/main.ts`;
}

export function AddHostDialog(props: { tenantId: string; open: boolean; onClose: () => void }) {
  const [name, setName] = createSignal("");
  const create = createMutation(createAgent, (tenantId) => [getAgents.keyFor(tenantId), getAuditPage.key]);

  function close() {
    setName("");
    create.reset();
    props.onClose();
  }

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    await create.run(props.tenantId, name().trim());
  }

  return (
    <Dialog open={props.open} title={create.result() ? "Start the agent on your host" : "Add host"} onClose={close} testId="add-host-dialog">
      <Show
        when={create.result()}
        fallback={
          <form onSubmit={submit} style={{ display: "flex", "flex-direction": "column", gap: "14px" }}>
            <p>Each host runs the Nebula agent, which dials out to this server: nothing on your network needs to be opened.</p>
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
            </label>
            <Show when={create.error()}>{(err) => <InlineError error={err()} />}</Show>
            <div class="dialog-actions">
              <button type="button" class="btn" onClick={close}>
                Cancel
              </button>
              <button type="submit" class="btn btn-primary" data-testid="create-host" disabled={create.pending() || !name().trim()}>
                {create.pending() ? "Creating…" : "Create host"}
              </button>
            </div>
          </form>
        }
      >
        {(created) => (
          <div class="stack" data-testid="host-created">
            <div class="notice notice-warning">
              <AlertIcon size={14} />
              <span>
                This is the only time the token of <strong>{created().agent.name}</strong> is shown. Only a hash is stored; if you lose it,
                revoke the host and add it again.
              </span>
            </div>
            <div class="field">
              <span class="field-label">Agent token</span>
              <CopyField value={created().token} label="agent token" testId="agent-token" />
            </div>
            <div class="field">
              <span class="field-label">Run on the host, from a checkout of Nebula Command</span>
              <CopyField value={agentRunCommand(window.location.origin, created().token)} label="agent command" testId="agent-command" />
            </div>
            <div class="dialog-actions">
              <button type="button" class="btn btn-primary" onClick={close}>
                I've copied it
              </button>
            </div>
          </div>
        )}
      </Show>
    </Dialog>
  );
}
