// The signed-in user and their active tenant, provided by the shell to every page, with the role check
// from the shared permission table (the Worker enforces it; the UI only hides what a role cannot use).
import type { MeResponse, TenantSummary } from "@nebula/schema/api/core";
import { can, type Permission } from "@nebula/schema/core/roles";
import { type Accessor, createContext, type JSX, useContext } from "solid-js";

export type Session = {
  me: Accessor<MeResponse>;
  /** The active tenant, or undefined for a user who belongs to none yet. */
  tenant: Accessor<TenantSummary | undefined>;
  can: (action: Permission) => boolean;
};

const SessionContext = createContext<Session>();

export function SessionProvider(props: { me: MeResponse; children: JSX.Element }) {
  const tenant = () => props.me.tenants.find((t) => t.id === props.me.activeTenantId) ?? props.me.tenants[0];
  const session: Session = {
    me: () => props.me,
    tenant,
    can: (action) => {
      const t = tenant();
      return t !== undefined && can(t.role, action);
    },
  };
  return <SessionContext.Provider value={session}>{props.children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}
