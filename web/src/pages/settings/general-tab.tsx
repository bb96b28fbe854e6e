// Settings > General: the tenant's name (owners rename it) and identifiers.
import { createAsync } from "@solidjs/router";
import { createEffect, createSignal, Show } from "solid-js";
import { getAuditPage, getMe, getTenant, renameTenant } from "../../api/client.ts";
import { createMutation } from "../../api/mutation.ts";
import { useSession } from "../../session/session.tsx";
import { TenantNameField } from "../../shell/tenant-name-field.tsx";
import { RoleBadge } from "../../ui/badge.tsx";
import { InlineError } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { TenantScope } from "./tenant-scope.tsx";

function TenantGeneral(props: { tenantId: string }) {
  const session = useSession();
  const tenant = createAsync(() => getTenant(props.tenantId));
  const [name, setName] = createSignal("");
  createEffect(() => {
    const t = tenant();
    if (t) setName(t.name);
  });
  const rename = createMutation(renameTenant, (tenantId) => [getTenant.keyFor(tenantId), getMe.key, getAuditPage.key]);
  const [saved, setSaved] = createSignal(false);

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    setSaved(false);
    if (await rename.run(props.tenantId, name().trim())) setSaved(true);
  }

  return (
    <Show when={tenant()}>
      {(t) => (
        <Card title="Tenant" description="A tenant is one homelab with its Discord communities and streams." actions={<RoleBadge role={t().role} />}>
          <div class="card-body">
            <Show
              when={session.can("tenant.update")}
              fallback={
                <dl class="kv">
                  <dt>Name</dt>
                  <dd data-testid="tenant-name">{t().name}</dd>
                </dl>
              }
            >
              <form onSubmit={submit} class="form-row" style={{ "max-width": "560px" }}>
                <TenantNameField
                  value={name()}
                  onInput={(value) => {
                    setName(value);
                    setSaved(false);
                  }}
                  testId="tenant-name-input"
                />
                <div class="form-actions">
                  <button type="submit" class="btn btn-primary" disabled={rename.pending() || !name().trim() || name().trim() === t().name}>
                    {rename.pending() ? "Saving…" : "Save"}
                  </button>
                  <Show when={saved()}>
                    <span class="muted" role="status">
                      Saved
                    </span>
                  </Show>
                </div>
              </form>
              <Show when={rename.error()}>{(err) => <InlineError error={err()} />}</Show>
            </Show>
            <dl class="kv">
              <dt>Tenant ID</dt>
              <dd>
                <code>{t().id}</code>
              </dd>
              <dt>Your role</dt>
              <dd style={{ "text-transform": "capitalize" }}>{t().role}</dd>
            </dl>
          </div>
        </Card>
      )}
    </Show>
  );
}

export default function GeneralTab() {
  return <TenantScope permission="tenant.read" what="tenant settings">{(tenantId) => <TenantGeneral tenantId={tenantId} />}</TenantScope>;
}
