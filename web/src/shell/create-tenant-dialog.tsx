// Create another tenant (the caller becomes its owner) and switch to it.
import { createSignal, Show } from "solid-js";
import { createTenant } from "../api/client.ts";
import { createMutation } from "../api/mutation.ts";
import { InlineError } from "../ui/boundary.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { TenantNameField } from "./tenant-name-field.tsx";

export function CreateTenantDialog(props: { open: boolean; onClose: () => void }) {
  const [name, setName] = createSignal("");
  // The Worker makes the new tenant the active one, so every read is stale.
  const create = createMutation(createTenant, () => undefined);

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    if (await create.run(name().trim())) {
      setName("");
      props.onClose();
    }
  }

  return (
    <Dialog
      open={props.open}
      title="Create tenant"
      testId="create-tenant-dialog"
      onClose={() => {
        create.reset();
        props.onClose();
      }}
    >
      <p>A tenant is one homelab with its communities and streams. You will be its owner.</p>
      <form onSubmit={submit} style={{ display: "flex", "flex-direction": "column", gap: "14px" }}>
        <TenantNameField value={name()} onInput={setName} autofocus />
        <Show when={create.error()}>{(err) => <InlineError error={err()} />}</Show>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={() => props.onClose()}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={create.pending() || !name().trim()}>
            {create.pending() ? "Creating…" : "Create tenant"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
