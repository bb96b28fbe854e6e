// Settings > Members: who is in the tenant, their roles (admins change them), and removing people.
import type { Member } from "@nebula/schema/api/core";
import { ROLES, type Role, roleRank } from "@nebula/schema/core/roles";
import { createAsync } from "@solidjs/router";
import { For, Show } from "solid-js";
import { getAuditPage, getMembers, removeMember, updateMemberRole } from "../../api/client.ts";
import { createMutation } from "../../api/mutation.ts";
import { useSession } from "../../session/session.tsx";
import { Avatar } from "../../ui/avatar.tsx";
import { Badge, RoleBadge } from "../../ui/badge.tsx";
import { InlineError } from "../../ui/boundary.tsx";
import { ConfirmActionButton, ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { Card } from "../../ui/card.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { UsersIcon } from "../../ui/icons.tsx";
import { dayOf, fullTime } from "../../ui/time.tsx";
import { ListTable } from "../../ui/table.tsx";
import { TenantScope } from "./tenant-scope.tsx";

function MemberList(props: { tenantId: string }) {
  const session = useSession();
  const members = createAsync(() => getMembers(props.tenantId));
  const touched = (tenantId: string) => [getMembers.keyFor(tenantId), getAuditPage.key];
  const changeRole = createMutation(updateMemberRole, touched);
  const remove = createConfirmAction((m: Member) => removeMember(props.tenantId, m.id), () => touched(props.tenantId));

  const myRole = () => session.tenant()?.role ?? "viewer";
  const isMe = (m: Member) => m.userId === session.me().user.id;
  /** Admins manage people at or below their own rank; nobody edits themselves here. */
  const manageable = (m: Member, action: "members.update" | "members.remove") =>
    session.can(action) && !isMe(m) && roleRank(m.role) <= roleRank(myRole());
  const assignable = (): Role[] => ROLES.filter((r) => roleRank(r) <= roleRank(myRole()));

  async function onRoleChange(m: Member, select: HTMLSelectElement) {
    const role = select.value as Role;
    // On failure put the select back: the list still holds the old role.
    if (!(await changeRole.run(props.tenantId, m.id, role))) select.value = m.role;
  }

  return (
    <Card title="Members" description="Owners and admins manage people; operators run things; viewers look.">
      <Show when={changeRole.error()}>
        {(err) => (
          <div style={{ padding: "12px 20px 0" }}>
            <InlineError error={err()} />
          </div>
        )}
      </Show>
      <ListTable
        items={members()?.items}
        empty={
          <EmptyState icon={<UsersIcon size={20} />} title="No members">
            Nobody belongs to this tenant yet.
          </EmptyState>
        }
        columns={["Member", "Role", "Joined"]}
        actions
        testId="member-table"
      >
        {(m) => (
          <tr data-testid="member-row">
            <td>
              <div class="person">
                <Avatar name={m.name} url={m.avatarUrl} />
                <span>{m.name}</span>
                <Show when={isMe(m)}>
                  <Badge>you</Badge>
                </Show>
              </div>
            </td>
            <td>
              <Show when={manageable(m, "members.update")} fallback={<RoleBadge role={m.role} />}>
                <select
                  class="select select-sm"
                  aria-label={`Role of ${m.name}`}
                  value={m.role}
                  disabled={changeRole.pending()}
                  onChange={(e) => onRoleChange(m, e.currentTarget)}
                >
                  <For each={assignable()}>{(r) => <option value={r}>{r}</option>}</For>
                </select>
              </Show>
            </td>
            <td class="nowrap" title={fullTime(m.createdAt)}>
              {dayOf(m.createdAt)}
            </td>
            <td class="actions">
              <Show when={manageable(m, "members.remove")}>
                <ConfirmActionButton action={remove} row={m} label="Remove" />
              </Show>
            </td>
          </tr>
        )}
      </ListTable>
      <ConfirmActionDialog
        action={remove}
        title="Remove member?"
        message={(m) => (
          <>
            <strong>{m.name}</strong> will lose access to this tenant at once, and API tokens they created here stop working.
          </>
        )}
        confirmLabel="Remove member"
      />
    </Card>
  );
}

export default function MembersTab() {
  return <TenantScope permission="members.read" what="members">{(tenantId) => <MemberList tenantId={tenantId} />}</TenantScope>;
}
