// /overlays: the tenant's OBS overlays. Create, rename, open in the editor, copy the OBS URL, export as JSON,
// import a file (its errors named by field), rotate the URL (old sources stop) and delete, both asked first.
import { A, createAsync, revalidate, useNavigate } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { ApiError } from "../../api/client.ts";
import { createMutation } from "../../api/mutation.ts";
import { createOverlay, deleteOverlay, exportHref, getOverlays, importOverlay, obsUrl, type OverlaySummary, rotateOverlayUrl, updateOverlay } from "../../api/overlays.ts";
import { useSession } from "../../session/session.tsx";
import { Boundary, InlineError } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { ConfirmActionButton, ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { CopyField } from "../../ui/copy-field.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { PlusIcon, StreamIcon } from "../../ui/icons.tsx";
import { ListTable } from "../../ui/table.tsx";
import { TimeAgo } from "../../ui/time.tsx";
import "./overlays.css";

const TOUCHES = () => [getOverlays.key];

/** Import errors name the field: "document.layers.0.colour: Expected a colour like #ff8800". */
function importProblem(err: unknown): string | null {
  if (!(err instanceof ApiError)) return null;
  const issues = (err.details as { issues?: { path: string; message: string }[] } | null)?.issues;
  if (!issues?.length) return null;
  return issues
    .slice(0, 5)
    .map((i) => `${i.path || "(file)"}: ${i.message}`)
    .join("\n");
}

function NameDialog(props: { open: boolean; title: string; initial: string; confirm: string; onSubmit: (name: string) => Promise<unknown>; onClose: () => void }) {
  const [name, setName] = createSignal(props.initial);
  const [error, setError] = createSignal<unknown>();
  const [pending, setPending] = createSignal(false);
  async function submit(e: SubmitEvent) {
    e.preventDefault();
    setPending(true);
    setError(undefined);
    try {
      await props.onSubmit(name().trim());
      props.onClose();
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  }
  return (
    <Dialog open={props.open} title={props.title} onClose={props.onClose} testId="overlay-name-dialog">
      <form class="stack" onSubmit={submit}>
        <label class="field">
          <span>Name</span>
          <input class="input" data-testid="overlay-name" value={props.initial} maxLength={80} required onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <Show when={error()}>{(err) => <InlineError error={err()} />}</Show>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" data-testid="overlay-name-submit" disabled={pending() || name().trim() === ""}>
            {props.confirm}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function OverlayList(props: { tenantId: string }) {
  const session = useSession();
  const navigate = useNavigate();
  const overlays = createAsync(() => getOverlays(props.tenantId));
  const [creating, setCreating] = createSignal(false);
  const [renaming, setRenaming] = createSignal<OverlaySummary>();
  const [importError, setImportError] = createSignal<{ error: unknown; detail: string | null }>();
  const canManage = () => session.can("overlays.manage");
  const remove = createConfirmAction((o: OverlaySummary) => deleteOverlay(props.tenantId, o.id), TOUCHES);
  const rotate = createConfirmAction((o: OverlaySummary) => rotateOverlayUrl(props.tenantId, o.id), TOUCHES);
  const importFile = createMutation(async (file: File) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await file.text());
    } catch {
      throw new Error(`${file.name} is not JSON: export an overlay from Nebula Command and import that file.`);
    }
    return importOverlay(props.tenantId, parsed);
  }, TOUCHES);

  async function onImport(e: Event & { currentTarget: HTMLInputElement }) {
    const file = e.currentTarget.files?.[0];
    e.currentTarget.value = "";
    if (!file) return;
    setImportError(undefined);
    const done = await importFile.run(file);
    if (!done) setImportError({ error: importFile.error(), detail: importProblem(importFile.error()) });
  }

  return (
    <>
      <Card
        title="Overlays"
        description="Designs for OBS browser sources: alerts, chat, goals and more on a 1920×1080 canvas."
        testId="overlays-card"
        actions={
          <Show when={canManage()}>
            <div class="ov-row-actions">
              <label class="btn" data-testid="import-overlay">
                Import…
                <input type="file" accept="application/json,.json" class="sr-only" data-testid="import-file" onChange={onImport} />
              </label>
              <button type="button" class="btn btn-primary" data-testid="create-overlay" onClick={() => setCreating(true)}>
                <PlusIcon /> New overlay
              </button>
            </div>
          </Show>
        }
      >
        <Show when={importError()}>
          {(problem) => (
            <div class="notice notice-warning" data-testid="import-error">
              <div class="stack" style={{ gap: "4px" }}>
                <strong>That file could not be imported.</strong>
                <Show when={problem().detail} fallback={<InlineError error={problem().error} />}>
                  {(detail) => <pre class="ov-issues">{detail()}</pre>}
                </Show>
              </div>
            </div>
          )}
        </Show>
        <ListTable
          items={overlays()?.items}
          columns={["Name", "Layers", "OBS browser source URL", "Updated"]}
          actions
          testId="overlays-table"
          empty={
            <EmptyState icon={<StreamIcon size={22} />} title="No overlays yet" testId="overlays-empty">
              Make one, design it in the editor, and add its URL to OBS as a Browser source (1920×1080).
            </EmptyState>
          }
        >
          {(o) => (
            <tr data-testid="overlay-row" data-overlay-id={o.id}>
              <td>
                <A href={`/overlays/${o.id}`} data-testid="overlay-link">
                  {o.name}
                </A>
              </td>
              <td>{o.layerCount}</td>
              <td class="ov-url-cell">
                <CopyField value={obsUrl(o.publicId)} label={`OBS URL of ${o.name}`} testId="overlay-obs-url" />
              </td>
              <td>
                <TimeAgo iso={o.updatedAt} />
              </td>
              <td class="actions">
                <div class="ov-row-actions">
                  <a class="btn btn-sm btn-ghost" href={exportHref(props.tenantId, o.id)} download="" data-testid="export-overlay">
                    Export
                  </a>
                  <Show when={canManage()}>
                    <button type="button" class="btn btn-sm btn-ghost" onClick={() => setRenaming(o)}>
                      Rename
                    </button>
                    <button type="button" class="btn btn-sm btn-ghost" data-testid="rotate-overlay" onClick={() => rotate.ask(o)}>
                      New URL
                    </button>
                    <ConfirmActionButton action={remove} row={o} label="Delete" ariaLabel={`Delete ${o.name}`} />
                  </Show>
                </div>
              </td>
            </tr>
          )}
        </ListTable>
      </Card>
      <NameDialog
        open={creating()}
        title="New overlay"
        initial=""
        confirm="Create and edit"
        onClose={() => setCreating(false)}
        onSubmit={async (name) => {
          const created = await createOverlay(props.tenantId, { name });
          await revalidate(getOverlays.key);
          navigate(`/overlays/${created.id}`);
        }}
      />
      <Show when={renaming()} keyed>
        {(o) => (
          <NameDialog
            open
            title="Rename overlay"
            initial={o.name}
            confirm="Rename"
            onClose={() => setRenaming(undefined)}
            onSubmit={async (name) => {
              await updateOverlay(props.tenantId, o.id, { version: o.version, name });
              await revalidate(getOverlays.key);
            }}
          />
        )}
      </Show>
      <ConfirmActionDialog
        action={remove}
        title="Delete overlay"
        message={(o) => `Delete "${o.name}"? OBS sources showing it go blank, and its design is gone unless you exported it.`}
        confirmLabel="Delete"
      />
      <ConfirmActionDialog
        action={rotate}
        title="Make a new URL"
        message={(o) => `Give "${o.name}" a new OBS URL? Sources using the current one stop showing it at once; paste the new URL into OBS.`}
        confirmLabel="Make new URL"
      />
    </>
  );
}

export default function OverlaysPage() {
  const session = useSession();
  return (
    <div class="page" data-testid="overlays-page">
      <div class="page-header">
        <div>
          <h1>Overlays</h1>
          <p>Alerts, chat, event lists, goals and now playing for OBS: design them here, show them as browser sources.</p>
        </div>
      </div>
      <Boundary>
        <Show when={session.tenant()} fallback={<p class="muted">Join or create a tenant to make overlays.</p>}>
          {(t) => <OverlayList tenantId={t().id} />}
        </Show>
      </Boundary>
    </div>
  );
}
