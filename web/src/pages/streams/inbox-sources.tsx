// The inbox's sources on /streams/inbox (admins): webhooks that donation services and custom tools post to (create,
// see the URL and secret once, turn off, rotate the secret, delete) and the platform channels that feed the inbox.
import type { InboxWebhookKind } from "@nebula/schema/api/inbox";
import { createAsync } from "@solidjs/router";
import { createSignal, For, Show } from "solid-js";
import { createMutation } from "../../api/mutation.ts";
import {
  createInboxWebhook,
  deleteInboxWebhook,
  getInboxChannels,
  getInboxWebhooks,
  type InboxSourceView,
  type InboxWebhookView,
  type InboxWebhookWithSecret,
  removeInboxChannel,
  rotateInboxWebhookSecret,
  setInboxWebhookEnabled,
} from "../../api/streams-inbox.ts";
import { Badge } from "../../ui/badge.tsx";
import { Boundary, InlineError } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { ConfirmActionButton, ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { CopyField } from "../../ui/copy-field.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { AlertIcon, KeyIcon } from "../../ui/icons.tsx";
import { ShownOnce } from "../../ui/shown-once.tsx";
import { ListTable } from "../../ui/table.tsx";
import { TimeAgo } from "../../ui/time.tsx";

const KINDS: Record<InboxWebhookKind, string> = { donations: "Donation service", custom: "Custom tool" };
const PLATFORM_NAMES: Record<InboxSourceView["platform"], string> = { twitch: "Twitch", youtube: "YouTube", kick: "Kick" };

/** What to post, shaped for the kind: a donation for donation services, a follow for anything else. */
function examplePayload(kind: InboxWebhookKind): string {
  const event =
    kind === "donations"
      ? { id: "tip-1001", type: "donation", actor: { name: "Generous Viewer" }, amount: 5, currency: "USD", message: "Great stream!" }
      : { id: "evt-1001", type: "follow", actor: { name: "New Friend" } };
  return JSON.stringify(event);
}

export function InboxSourcesCard(props: { tenantId: string }) {
  const webhooks = createAsync(() => getInboxWebhooks(props.tenantId));
  const touched = () => [getInboxWebhooks.keyFor(props.tenantId)];
  const [name, setName] = createSignal("");
  const [kind, setKind] = createSignal<InboxWebhookKind>("donations");
  // The secret of the source just created or rotated: shown here once, never read back.
  const [shown, setShown] = createSignal<{ webhook: InboxWebhookWithSecret; rotated: boolean }>();
  const create = createMutation((input: { name: string; kind: InboxWebhookKind }) => createInboxWebhook(props.tenantId, input), touched);
  const toggle = createMutation((w: InboxWebhookView, enabled: boolean) => setInboxWebhookEnabled(props.tenantId, w.id, enabled), touched);
  const rotate = createConfirmAction(async (w: InboxWebhookView) => setShown({ webhook: await rotateInboxWebhookSecret(props.tenantId, w.id), rotated: true }), touched);
  const remove = createConfirmAction(async (w: InboxWebhookView) => {
    await deleteInboxWebhook(props.tenantId, w.id);
    if (shown()?.webhook.id === w.id) setShown(undefined);
  }, touched);

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    const done = await create.run({ name: name().trim(), kind: kind() });
    if (done) {
      setShown({ webhook: done.value, rotated: false });
      setName("");
    }
  }

  return (
    <Card title="Sources" description="Donation services and your own tools post events to a webhook with its secret; they appear above the moment they arrive." testId="inbox-sources">
      <div class="card-body stack">
        <form class="form-row" onSubmit={(e) => void submit(e)} data-testid="inbox-source-form">
          <label class="field">
            <span>Name</span>
            <input class="input" required maxLength={80} placeholder="e.g. Tip jar" value={name()} onInput={(e) => setName(e.currentTarget.value)} data-testid="inbox-source-name" />
          </label>
          <label class="field">
            <span>Kind</span>
            <select class="select" value={kind()} onChange={(e) => setKind(e.currentTarget.value as InboxWebhookKind)} data-testid="inbox-source-kind">
              <For each={Object.entries(KINDS)}>{([value, label]) => <option value={value}>{label}</option>}</For>
            </select>
          </label>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary" disabled={create.pending() || !name().trim()} data-testid="inbox-source-create">
              {create.pending() ? "Creating…" : "Add source"}
            </button>
          </div>
        </form>
        <Show when={create.error()}>{(err) => <InlineError error={err()} />}</Show>
        <Show when={shown()}>
          {(s) => (
            <div class="stack" style={{ gap: "8px" }}>
            <ShownOnce
              tone="warning"
              title={
                <>
                  <AlertIcon size={14} /> Copy the secret of "{s().webhook.name}" now{s().rotated ? " (the old one no longer works)" : ""}
                </>
              }
              value={s().webhook.secret}
              label="webhook secret"
              testId="inbox-source-created"
              valueTestId="inbox-source-secret"
              dismissLabel="I've copied it"
              onDismiss={() => setShown(undefined)}
            >
              This is the only time the secret is shown; it is stored encrypted. Post JSON to the URL below with <code>Authorization: Bearer &lt;secret&gt;</code>, or sign
              it: <code>X-Nebula-Timestamp: &lt;unix seconds&gt;</code> and <code>X-Nebula-Signature: sha256=&lt;HMAC-SHA256 hex of "timestamp.body"&gt;</code> (refused
              when more than 10 minutes old, so a captured request cannot be replayed; bearer requests have no such limit). For example: <code>{examplePayload(s().webhook.kind)}</code>
            </ShownOnce>
            <div class="field">
              <span>Webhook URL</span>
              <CopyField value={s().webhook.url} label="webhook URL" testId="inbox-source-url" />
            </div>
            </div>
          )}
        </Show>
      </div>
      <Boundary>
        <ListTable
          items={webhooks()?.items}
          empty={
            <EmptyState icon={<KeyIcon size={20} />} title="No webhook sources" testId="inbox-sources-empty">
              Add one for a donation service or a tool of your own: it gets a URL and a secret to post events with.
            </EmptyState>
          }
          columns={["Name", "Kind", "URL", "Last event", "On"]}
          actions
          testId="inbox-source-list"
        >
          {(w) => (
            <tr data-testid="inbox-source-row" data-id={w.id}>
              <td>{w.name}</td>
              <td class="nowrap">
                <Badge plain>{KINDS[w.kind]}</Badge>
              </td>
              <td>
                <code class="inbox-source-url">{w.url}</code>
              </td>
              <td class="nowrap">
                <Show when={w.lastDeliveryAt} fallback={<span class="faint">Never</span>}>
                  {(at) => <TimeAgo iso={at()} />}
                </Show>
              </td>
              <td>
                <input type="checkbox" checked={w.enabled} disabled={toggle.pending()} aria-label={`Accept events from ${w.name}`} onChange={(e) => void toggle.run(w, e.currentTarget.checked)} />
              </td>
              <td class="actions nowrap">
                <button type="button" class="btn btn-sm" onClick={() => rotate.ask(w)} aria-label={`Rotate the secret of ${w.name}`} data-testid="inbox-source-rotate">
                  Rotate secret
                </button>
                <ConfirmActionButton action={remove} row={w} label="Delete" ariaLabel={`Delete ${w.name}`} />
              </td>
            </tr>
          )}
        </ListTable>
        <Show when={toggle.error()}>{(err) => <InlineError error={err()} />}</Show>
      </Boundary>
      <InboxChannels tenantId={props.tenantId} />
      <ConfirmActionDialog
        action={rotate}
        title="Rotate the secret?"
        message={(w) => (
          <>
            <strong>{w.name}</strong> gets a new secret, shown once. Requests with the old secret are refused from now on, so update the sender too.
          </>
        )}
        confirmLabel="Rotate secret"
      />
      <ConfirmActionDialog
        action={remove}
        title="Delete source?"
        message={(w) => (
          <>
            <strong>{w.name}</strong> stops accepting events at once and its secret is deleted. Notifications it already delivered stay in the inbox.
          </>
        )}
        confirmLabel="Delete source"
      />
    </Card>
  );
}

/** Platform channels whose events land here (a connected Twitch channel registers itself). */
function InboxChannels(props: { tenantId: string }) {
  const channels = createAsync(() => getInboxChannels(props.tenantId));
  const remove = createConfirmAction((c: InboxSourceView) => removeInboxChannel(props.tenantId, c.id), () => [getInboxChannels.keyFor(props.tenantId)]);
  return (
    <Boundary>
      <Show when={(channels()?.items.length ?? 0) > 0}>
        <div class="card-body" data-testid="inbox-channels">
          <h3>Channels</h3>
          <ul class="inbox-channel-list">
            <For each={channels()?.items}>
              {(c) => (
                <li>
                  <span>
                    {PLATFORM_NAMES[c.platform]} <code>{c.broadcasterId}</code>
                  </span>
                  <ConfirmActionButton action={remove} row={c} label="Remove" ariaLabel={`Stop reading ${PLATFORM_NAMES[c.platform]} channel ${c.broadcasterId}`} />
                </li>
              )}
            </For>
          </ul>
        </div>
      </Show>
      <ConfirmActionDialog
        action={remove}
        title="Stop reading this channel?"
        message={(c) => (
          <>
            New events from {PLATFORM_NAMES[c.platform]} channel <code>{c.broadcasterId}</code> stop landing in this inbox. Connecting the channel again adds it back.
          </>
        )}
        confirmLabel="Remove channel"
      />
    </Boundary>
  );
}
