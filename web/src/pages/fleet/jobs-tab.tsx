// Host > Jobs: every job asked of this host, newest first (who, when, how long, how it ended), paged with
// "Load more"; a row opens the job: its parameters, result or error, and Cancel while it runs.
import type { Job } from "@nebula/schema/api/jobs";
import type { JobKind } from "@nebula/schema/wire/jobs";
import { createAsync, revalidate } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { cancelJob, getAgentJobs } from "../../api/client.ts";
import { createMutation } from "../../api/mutation.ts";
import { InlineError } from "../../ui/boundary.tsx";
import { createPagedList, LoadMore } from "../../ui/paged-list.tsx";
import { Card } from "../../ui/card.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ListIcon } from "../../ui/icons.tsx";
import { ListTable } from "../../ui/table.tsx";
import { fullTime, TimeAgo } from "../../ui/time.tsx";
import { useRefresh } from "./fleet-card.tsx";
import { duration } from "./format.ts";
import { useHost } from "./host-context.tsx";
import { jobKindLabel } from "./job-labels.ts";
import { JOB_KIND_ROLES, useCanRun } from "./job-roles.ts";
import { JobStatusBadge, RefreshButton } from "./job-ui.tsx";
import { isFinished } from "./sockets.ts";

function took(job: Job): string {
  if (!job.startedAt) return "—";
  const end = job.finishedAt ? new Date(job.finishedAt).getTime() : Date.now();
  return `${duration(end - new Date(job.startedAt).getTime())}${job.finishedAt ? "" : " so far"}`;
}

const isKind = (kind: string): kind is JobKind => Object.hasOwn(JOB_KIND_ROLES, kind);
const json = (value: unknown) => JSON.stringify(value, null, 2);

function JobDetails(props: { job: Job; tenantId: string; onClose: () => void }) {
  const canRun = useCanRun();
  const cancel = createMutation((tenantId: string, jobId: string) => cancelJob(tenantId, jobId), () => [getAgentJobs.key]);
  return (
    <Dialog open title={jobKindLabel(props.job.kind)} onClose={() => props.onClose()} testId="job-details">
      <dl class="kv">
        <dt>Status</dt>
        <dd>
          <JobStatusBadge status={props.job.status} />
        </dd>
        <dt>Requested by</dt>
        <dd>{props.job.requestedBy.name}</dd>
        <dt>Requested</dt>
        <dd>{fullTime(props.job.createdAt)}</dd>
        <dt>Duration</dt>
        <dd>{took(props.job)}</dd>
        <dt>Job ID</dt>
        <dd>
          <code>{props.job.id}</code>
        </dd>
      </dl>
      <div class="field">
        <span class="field-label">Parameters</span>
        <pre class="json">{json(props.job.params ?? {})}</pre>
      </div>
      <Show when={props.job.error}>
        {(e) => (
          <div class="error-panel" role="alert">
            <div class="grow">
              <strong>
                <code>{e().code}</code>
              </strong>
              <span>{e().message}</span>
            </div>
          </div>
        )}
      </Show>
      <Show when={props.job.result !== null && props.job.result !== undefined}>
        <div class="field">
          <span class="field-label">Result</span>
          <pre class="json" data-testid="job-result">
            {json(props.job.result)}
          </pre>
        </div>
      </Show>
      <Show when={cancel.error()}>{(err) => <InlineError error={err()} />}</Show>
      <div class="dialog-actions">
        <Show when={!isFinished(props.job) && isKind(props.job.kind) && canRun(props.job.kind as JobKind)}>
          <button type="button" class="btn btn-ghost-danger" disabled={cancel.pending()} onClick={() => void cancel.run(props.tenantId, props.job.id)}>
            {cancel.pending() ? "Cancelling…" : "Cancel job"}
          </button>
        </Show>
        <button type="button" class="btn" onClick={() => props.onClose()}>
          Close
        </button>
      </div>
    </Dialog>
  );
}

export default function JobsTab() {
  const host = useHost();
  const first = createAsync(() => getAgentJobs(host.tenantId, host.agentId, null));
  useRefresh(() => [getAgentJobs.keyFor(host.tenantId, host.agentId, null)]);
  const history = createPagedList(first, (cursor) => getAgentJobs(host.tenantId, host.agentId, cursor));
  const jobs = history.items;
  const [openId, setOpenId] = createSignal<string>();
  const opened = () => jobs().find((j) => j.id === openId());

  return (
    <Card
      title="Job history"
      description="Every job that changes this host, and logs read from it: who asked, when, and how it ended. Quick reads (lists, states) are not kept."
      actions={<RefreshButton label="Refresh jobs" onClick={() => revalidate(getAgentJobs.key)} />}
    >
      <ListTable
        items={jobs()}
        empty={
          <EmptyState icon={<ListIcon size={20} />} title="No jobs yet" testId="jobs-empty">
            Starting a container or a VM, pulling an image or switching gaming mode each runs a job on the host; they appear here.
          </EmptyState>
        }
        columns={["Job", "Status", "Requested by", "When", "Duration"]}
        testId="job-history"
      >
        {(job) => (
          <tr data-testid="job-row" data-kind={job.kind}>
            <td>
              <button type="button" class="link-button" title={job.kind} onClick={() => setOpenId(job.id)}>
                {jobKindLabel(job.kind)}
              </button>
            </td>
            <td>
              <JobStatusBadge status={job.status} />
            </td>
            <td>{job.requestedBy.name}</td>
            <td class="nowrap">
              <TimeAgo iso={job.createdAt} />
            </td>
            <td class="nowrap">{took(job)}</td>
          </tr>
        )}
      </ListTable>
      <LoadMore list={history} testId="jobs-load-more" />
      <Show when={opened()} keyed>
        {(job) => <JobDetails job={job} tenantId={host.tenantId} onClose={() => setOpenId(undefined)} />}
      </Show>
    </Card>
  );
}
