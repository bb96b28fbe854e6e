// Settings > Invites: create invite links (shown once), see their status, revoke the ones still active.
import type { Invite } from "@nebula/schema/api/core";
import { createAsync } from "@solidjs/router";
import { createSignal, For, Show } from "solid-js";
import { createInvite, getAuditPage, getInvites, type InviteRole, revokeInvite } from "../../api/client.ts";
import { createMutation } from "../../api/mutation.ts";
import { useSession } from "../../session/session.tsx";
import { Badge, type BadgeTone, RoleBadge } from "../../ui/badge.tsx";
import { InlineError } from "../../ui/boundary.tsx";
import { ConfirmActionButton, ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { Card } from "../../ui/card.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ShownOnce } from "../../ui/shown-once.tsx";
import { MailIcon } from "../../ui/icons.tsx";
import { fullTime, TimeAgo, timeAgo } from "../../ui/time.tsx";
import { ListTable } from "../../ui/table.tsx";
import { TenantScope } from "./tenant-scope.tsx";

const EXPIRY_CHOICES = [
  { hours: 1, label: "1 hour" },
  { hours: 24, label: "1 day" },
  { hours: 72, label: "3 days" },
  { hours: 24 * 7, label: "7 days" },
  { hours: 24 * 30, label: "30 days" },
];

const STATUS_TONE: Record<Invite["status"], BadgeTone> = { active: "success", used: "neutral", expired: "warning", revoked: "danger" };

function CreateInviteForm(props: { tenantId: string; touched: (tenantId: string) => string[] }) {
  const [role, setRole] = createSignal<InviteRole>("viewer");
  const [hours, setHours] = createSignal(72);
  const [maxUses, setMaxUses] = createSignal(1);
  const create = createMutation(createInvite, props.touched);

  function submit(e: SubmitEvent) {
    e.preventDefault();
    void create.run(props.tenantId, { role: role(), maxUses: maxUses(), expiresInHours: hours() });
  }

  return (
    <Card title="Invite people" description="Anyone with the link can join with the role you pick, until it expires or runs out of uses.">
      <div class="card-body">
        <form onSubmit={submit} class="form-row" data-testid="invite-form">
          <label class="field">
            <span>Role</span>
            <select class="select" name="role" value={role()} onChange={(e) => setRole(e.currentTarget.value as InviteRole)}>
              <option value="viewer">Viewer</option>
              <option value="operator">Operator</option>
              <option value="admin">Admin</option>
            </select>
          </label>
          <label class="field">
            <span>Expires after</span>
            <select class="select" name="expires" value={hours()} onChange={(e) => setHours(Number(e.currentTarget.value))}>
              <For each={EXPIRY_CHOICES}>{(c) => <option value={c.hours}>{c.label}</option>}</For>
            </select>
          </label>
          <label class="field">
            <span>Max uses</span>
            <input
              class="input"
              type="number"
              name="max-uses"
              min={1}
              max={100}
              required
              value={maxUses()}
              onInput={(e) => setMaxUses(e.currentTarget.valueAsNumber)}
            />
          </label>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary" data-testid="create-invite" disabled={create.pending() || !(maxUses() >= 1)}>
              {create.pending() ? "Creating…" : "Create invite link"}
            </button>
          </div>
        </form>
        <Show when={create.error()}>{(err) => <InlineError error={err()} />}</Show>
        <Show when={create.result()}>
          {(created) => (
            <ShownOnce
              tone="success"
              title="Invite link created"
              value={created().url}
              label="Invite link"
              testId="invite-created"
              valueTestId="invite-url"
              dismissLabel="Done"
              onDismiss={() => create.reset()}
            >
              This link is shown only now. It lets {created().invite.maxUses === 1 ? "one person" : `${created().invite.maxUses} people`} join
              as {created().invite.role} until {fullTime(created().invite.expiresAt)}.
            </ShownOnce>
          )}
        </Show>
      </div>
    </Card>
  );
}

function InviteList(props: { tenantId: string }) {
  const session = useSession();
  const invites = createAsync(() => getInvites(props.tenantId));
  const touched = (tenantId: string) => [getInvites.keyFor(tenantId), getAuditPage.key];
  const revoke = createConfirmAction((inv: Invite) => revokeInvite(props.tenantId, inv.id), () => touched(props.tenantId));

  return (
    <>
      <Show when={session.can("invites.create")}>
        <CreateInviteForm tenantId={props.tenantId} touched={touched} />
      </Show>
      <Card title="Invites" description="Links are stored hashed; only their status is listed here.">
        <ListTable
          items={invites()?.items}
          empty={
            <EmptyState icon={<MailIcon size={20} />} title="No invites yet" testId="invites-empty">
              Create an invite link above and send it to the people you want in this tenant.
            </EmptyState>
          }
          columns={["Role", "Status", "Uses", "Expires", "Created"]}
          actions
          testId="invite-table"
        >
          {(inv) => (
            <tr data-testid="invite-row">
              <td>
                <RoleBadge role={inv.role} />
              </td>
              <td>
                <Badge tone={STATUS_TONE[inv.status]}>{inv.status}</Badge>
              </td>
              <td class="nowrap">
                {inv.uses} / {inv.maxUses}
              </td>
              <td class="nowrap" title={fullTime(inv.expiresAt)}>
                {timeAgo(inv.expiresAt)}
              </td>
              <td class="nowrap">
                <TimeAgo iso={inv.createdAt} />
              </td>
              <td class="actions">
                <Show when={inv.status === "active" && session.can("invites.revoke")}>
                  <ConfirmActionButton action={revoke} row={inv} label="Revoke" />
                </Show>
              </td>
            </tr>
          )}
        </ListTable>
      </Card>
      <ConfirmActionDialog
        action={revoke}
        title="Revoke invite?"
        message={() => "The link stops working at once. People who already joined with it keep their membership."}
        confirmLabel="Revoke invite"
      />
    </>
  );
}

export default function InvitesTab() {
  return <TenantScope permission="invites.read" what="invites">{(tenantId) => <InviteList tenantId={tenantId} />}</TenantScope>;
}
