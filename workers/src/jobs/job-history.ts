// Which jobs leave a trace in Postgres. A quick read (list the containers, a VM's state) changes nothing and is
// answered in the same HTTP call, so it skips the job row and the audit row: the dashboard runs them on every page
// view, and each Postgres round trip would cost more than the agent's own work. Everything else is recorded.
import { agentWire } from "@nebula/schema";

type JobKind = agentWire.JobKind;

/**
 * Read-only kinds (viewer role) that answer in one shot. Left out on purpose, though viewers may run them:
 * `docker.logs` (it can follow a stream, and followers find a job by its row) and `host.probe` (it makes the agent
 * request a configured service, which stays on the record; naming any URL is `host.probe_url`, an admin kind).
 */
export const QUICK_READ_KINDS: ReadonlySet<JobKind> = new Set<JobKind>([
  "docker.list",
  "docker.inspect",
  "docker.stats",
  "vm.list",
  "vm.state",
  "gaming.status",
  "nas.status",
]);

/** Unrecorded only when the caller waits for the answer; a job handed back as "running" must be readable later. */
export function isUnrecordedRead(kind: JobKind, wait: boolean): boolean {
  return wait && QUICK_READ_KINDS.has(kind) && agentWire.JOB_KINDS[kind].role === "viewer";
}
