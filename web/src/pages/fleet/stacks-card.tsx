// Host > Containers > Compose stacks: the stacks this host's agent is configured with (NEBULA_STACKS, reported by
// name in its hello), each brought up or down by admins after a confirmation, with compose's output followed live.
import type { Job } from "@nebula/schema/api/jobs";
import { revalidate } from "@solidjs/router";
import { For, Show } from "solid-js";
import { Card } from "../../ui/card.tsx";
import { ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { createFollowedJob, FollowedJobPanel } from "./followed-job.tsx";
import { useHost } from "./host-context.tsx";
import { factsOf } from "./host-facts.ts";
import { JobButton } from "./job-ui.tsx";

/** Pulling images and starting a stack can take minutes on a slow link. */
const COMPOSE_TIMEOUT_MS = 15 * 60_000;

type StackAction = { stack: string; kind: "docker.compose.up" | "docker.compose.down" };

export function StacksCard(props: { containersKey: string }) {
  const host = useHost();
  const stacks = () => factsOf(host.agent())?.stacks ?? [];
  const followed = createFollowedJob(() => void revalidate(props.containersKey));
  const ask = createConfirmAction((a: StackAction) => followed.start(a.kind, { stack: a.stack }, COMPOSE_TIMEOUT_MS), () => []);
  const stackOf = (job: Job) => (job.params as { stack?: string }).stack ?? "?";

  return (
    <Card title="Compose stacks" testId="stacks-card" description="Stacks this host's agent may bring up or down (NEBULA_STACKS).">
      <Show
        when={stacks().length > 0}
        fallback={
          <EmptyState title="No stacks configured" testId="stacks-empty">
            Set <code>NEBULA_STACKS</code> in the agent's environment to name=directory entries, e.g. <code>media=/srv/media</code> (each directory
            holds a compose file), then restart the agent.
          </EmptyState>
        }
      >
        <ul class="status-list" data-testid="stacks-list">
          <For each={stacks()}>
            {(stack) => (
              <li class="status-row" data-testid="stack-row" data-name={stack}>
                <strong class="grow mono">{stack}</strong>
                <JobButton kind="docker.compose.up" label="Up" testId="stack-up" disabled={followed.running()} onClick={() => ask.ask({ stack, kind: "docker.compose.up" })} />
                <JobButton
                  kind="docker.compose.down"
                  label="Down"
                  class="btn btn-sm btn-ghost-danger"
                  testId="stack-down"
                  disabled={followed.running()}
                  onClick={() => ask.ask({ stack, kind: "docker.compose.down" })}
                />
              </li>
            )}
          </For>
        </ul>
      </Show>
      <FollowedJobPanel
        followed={followed}
        testId="stack-job"
        title={(job) => `${job.kind === "docker.compose.down" ? "Down" : "Up"}: ${stackOf(job)}`}
      />
      <ConfirmActionDialog
        action={ask}
        title="Change this stack?"
        confirmLabel="Confirm"
        message={(a) =>
          a.kind === "docker.compose.up" ? (
            <>
              Bring <strong>{a.stack}</strong> up? Compose creates or recreates its containers to match its compose file, pulling missing images.
            </>
          ) : (
            <>
              Bring <strong>{a.stack}</strong> down? Compose stops and removes its containers and networks; its volumes are kept.
            </>
          )
        }
      />
    </Card>
  );
}
