// Settings > API tokens: create a token (its secret is shown once), list tokens with prefix, scopes and
// last use, revoke them.
import type { ApiToken } from "@nebula/schema/api/core";
import { READ_ONLY_SCOPES } from "@nebula/schema/core/roles";
import { createAsync } from "@solidjs/router";
import { createSignal, For, Show } from "solid-js";
import { createToken, getAuditPage, getTokens, revokeToken, type TokenScope } from "../../api/client.ts";
import { createMutation } from "../../api/mutation.ts";
import { useSession } from "../../session/session.tsx";
import { Badge } from "../../ui/badge.tsx";
import { InlineError } from "../../ui/boundary.tsx";
import { ConfirmActionButton, ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { Card } from "../../ui/card.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ShownOnce } from "../../ui/shown-once.tsx";
import { AlertIcon, KeyIcon } from "../../ui/icons.tsx";
import { dayOf, fullTime, TimeAgo } from "../../ui/time.tsx";
import { ListTable } from "../../ui/table.tsx";
import { TenantScope } from "./tenant-scope.tsx";

const EXPIRY_CHOICES: { days: number | null; label: string }[] = [
  { days: null, label: "Never" },
  { days: 7, label: "7 days" },
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "1 year" },
];

function scopeLabel(scopes: string[]): string {
  if (scopes.includes("*")) return "Full access";
  const readOnly = new Set<string>(READ_ONLY_SCOPES);
  if (scopes.length > 0 && scopes.every((s) => readOnly.has(s))) return "Read only";
  return scopes.join(", ");
}

function tokenState(t: ApiToken, now: number): { label: string; tone: "success" | "warning" | "danger" } {
  if (t.revokedAt) return { label: "revoked", tone: "danger" };
  if (t.expiresAt && new Date(t.expiresAt).getTime() <= now) return { label: "expired", tone: "warning" };
  return { label: "active", tone: "success" };
}

function CreateTokenForm(props: { tenantId: string; touched: (tenantId: string) => string[] }) {
  const [name, setName] = createSignal("");
  const [scope, setScope] = createSignal<TokenScope>("full");
  const [days, setDays] = createSignal<number | null>(null);
  const create = createMutation(createToken, props.touched);

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    if (await create.run(props.tenantId, { name: name().trim(), scope: scope(), expiresInDays: days() })) setName("");
  }

  return (
    <Card
      title="Create an API token"
      description={
        <>
          For scripts and CI: send it as <code>Authorization: Bearer &lt;token&gt;</code>. It acts with your role in this tenant.
        </>
      }
    >
      <div class="card-body">
        <form onSubmit={submit} class="form-row" data-testid="token-form">
          <label class="field">
            <span>Token name</span>
            <input
              class="input"
              name="token-name"
              placeholder="e.g. ci-deploy"
              required
              maxLength={80}
              value={name()}
              onInput={(e) => setName(e.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span>Access</span>
            <select class="select" name="scope" value={scope()} onChange={(e) => setScope(e.currentTarget.value as TokenScope)}>
              <option value="full">Full access</option>
              <option value="read">Read only</option>
            </select>
          </label>
          <label class="field">
            <span>Expires</span>
            <select
              class="select"
              name="expires"
              value={days() ?? ""}
              onChange={(e) => setDays(e.currentTarget.value === "" ? null : Number(e.currentTarget.value))}
            >
              <For each={EXPIRY_CHOICES}>{(c) => <option value={c.days ?? ""}>{c.label}</option>}</For>
            </select>
          </label>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary" data-testid="create-token" disabled={create.pending() || !name().trim()}>
              {create.pending() ? "Creating…" : "Create token"}
            </button>
          </div>
        </form>
        <Show when={create.error()}>{(err) => <InlineError error={err()} />}</Show>
        <Show when={create.result()}>
          {(created) => (
            <ShownOnce
              tone="warning"
              title={
                <>
                  <AlertIcon size={14} /> Copy the token "{created().token.name}" now
                </>
              }
              value={created().secret}
              label="API token secret"
              testId="token-created"
              valueTestId="token-secret"
              dismissLabel="I've copied it"
              onDismiss={() => create.reset()}
            >
              This is the only time its secret is shown. Only a hash is stored; if you lose it, revoke it and create another.
            </ShownOnce>
          )}
        </Show>
      </div>
    </Card>
  );
}

function TokenList(props: { tenantId: string }) {
  const session = useSession();
  const tokens = createAsync(() => getTokens(props.tenantId));
  const touched = (tenantId: string) => [getTokens.keyFor(tenantId), getAuditPage.key];
  const revoke = createConfirmAction((t: ApiToken) => revokeToken(props.tenantId, t.id), () => touched(props.tenantId));
  const now = Date.now();

  return (
    <>
      <Show when={session.can("tokens.create")}>
        <CreateTokenForm tenantId={props.tenantId} touched={touched} />
      </Show>
      <Card title="API tokens" description="Tokens of this tenant. A revoked token stops working at once.">
        <ListTable
          items={tokens()?.items}
          empty={
            <EmptyState icon={<KeyIcon size={20} />} title="No API tokens" testId="tokens-empty">
              Create a token to call the Nebula Command API from scripts, CI or other tools.
            </EmptyState>
          }
          columns={["Name", "Token", "Access", "Created by", "Last used", "Expires", "Status"]}
          actions
          testId="token-list"
        >
          {(t) => (
            <tr data-testid="token-row">
              <td>{t.name}</td>
              <td class="nowrap">
                <code>{t.prefix}…</code>
              </td>
              <td class="nowrap">{scopeLabel(t.scopes)}</td>
              <td>{t.createdBy.name}</td>
              <td class="nowrap">
                <Show when={t.lastUsedAt} fallback={<span class="faint">Never</span>}>
                  {(at) => <TimeAgo iso={at()} />}
                </Show>
              </td>
              <td class="nowrap">
                <Show when={t.expiresAt} fallback={<span class="faint">Never</span>}>
                  {(at) => <span title={fullTime(at())}>{dayOf(at())}</span>}
                </Show>
              </td>
              <td>
                <Badge tone={tokenState(t, now).tone}>{tokenState(t, now).label}</Badge>
              </td>
              <td class="actions">
                <Show when={!t.revokedAt && session.can("tokens.revoke")}>
                  <ConfirmActionButton action={revoke} row={t} label="Revoke" ariaLabel={`Revoke ${t.name}`} />
                </Show>
              </td>
            </tr>
          )}
        </ListTable>
      </Card>
      <ConfirmActionDialog
        action={revoke}
        title="Revoke API token?"
        message={(t) => (
          <>
            Anything using <strong>{t.name}</strong> (<code>{t.prefix}…</code>) loses access immediately. This cannot be undone.
          </>
        )}
        confirmLabel="Revoke token"
      />
    </>
  );
}

export default function TokensTab() {
  return <TenantScope permission="tokens.read" what="API tokens">{(tenantId) => <TokenList tenantId={tenantId} />}</TenantScope>;
}
