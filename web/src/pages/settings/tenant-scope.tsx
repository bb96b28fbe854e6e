// A settings tab that needs the active tenant and a permission: explains why when either is missing.
// Keyed on the tenant id, so switching tenants re-mounts the tab while a refetch of /api/me does not.
import type { Permission } from "@nebula/schema/core/roles";
import { PERMISSIONS } from "@nebula/schema/core/roles";
import { type JSX, Show } from "solid-js";
import { useSession } from "../../session/session.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";

export function TenantScope(props: { permission: Permission; what: string; children: (tenantId: string) => JSX.Element }) {
  const session = useSession();
  return (
    <Show
      when={session.tenant()?.id}
      keyed
      fallback={
        <div class="card">
          <EmptyState title="No tenant yet">
            You are not a member of any tenant. Create one from the tenant menu in the top bar, or open an invite link
            from a tenant's admin.
          </EmptyState>
        </div>
      }
    >
      {(tenantId) => (
        <Show
          when={session.can(props.permission)}
          fallback={
            <div class="card">
              <EmptyState title={`You can't view ${props.what}`} testId="forbidden">
                Your role in this tenant is {session.tenant()?.role}; {props.what} need the {PERMISSIONS[props.permission]} role or
                higher. Ask an owner if you need access.
              </EmptyState>
            </div>
          }
        >
          {props.children(tenantId)}
        </Show>
      )}
    </Show>
  );
}
