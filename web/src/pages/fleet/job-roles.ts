// The lowest role allowed to run each job kind, for hiding buttons a role cannot use (the Worker enforces it).
// JOB_KINDS itself is a zod module and stays out of the browser bundle: this copy is checked against its type, so
// adding, removing or re-ranking a kind there breaks the build here until this table agrees.
import { type Role, roleAtLeast } from "@nebula/schema/core/roles";
import type { JOB_KINDS, JobKind } from "@nebula/schema/wire/jobs";
import { useSession } from "../../session/session.tsx";

type KindRoles = { readonly [K in JobKind]: (typeof JOB_KINDS)[K]["role"] };

export const JOB_KIND_ROLES = {
  "docker.list": "viewer",
  "docker.inspect": "viewer",
  "docker.logs": "viewer",
  "docker.stats": "viewer",
  "docker.start": "operator",
  "docker.stop": "operator",
  "docker.restart": "operator",
  "docker.pull": "admin",
  "docker.compose.up": "admin",
  "docker.compose.down": "admin",
  "vm.list": "viewer",
  "vm.state": "viewer",
  "vm.start": "operator",
  "vm.shutdown": "operator",
  "vm.reboot": "operator",
  "vm.destroy": "admin",
  "gaming.status": "viewer",
  "gaming.enable": "operator",
  "gaming.disable": "operator",
  "nas.status": "viewer",
  "nas.remount": "operator",
  "host.probe": "viewer",
  "host.probe_url": "admin",
  "host.wol": "operator",
  "host.reboot": "owner",
  "deploy.run": "owner",
} as const satisfies KindRoles;

/** Whether the signed-in member's role in the active tenant may run `kind`. */
export function useCanRun(): (kind: JobKind) => boolean {
  const session = useSession();
  return (kind) => {
    const role: Role | undefined = session.tenant()?.role;
    return role !== undefined && roleAtLeast(role, JOB_KIND_ROLES[kind]);
  };
}
