// The host a /hosts/:agentId page is about, shared by its tabs.
import type { Agent } from "@nebula/schema/api/agents";
import { type Accessor, createContext, useContext } from "solid-js";

export type HostScope = { tenantId: string; agentId: string; agent: Accessor<Agent> };

export const HostContext = createContext<HostScope>();

export function useHost(): HostScope {
  const host = useContext(HostContext);
  if (!host) throw new Error("useHost outside a host page");
  return host;
}
