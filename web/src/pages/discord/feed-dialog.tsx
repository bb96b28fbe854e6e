// Create or edit a GitHub feed: its name and channel, which repositories, branches and events become messages, and
// the deploy-on-push rules (owners only: a deploy runs code on a host).
import type { GithubDeployRule, GithubFeedFilters, GithubFeedView, GithubFeedWithSecret } from "@nebula/schema/api/github";
import { createAsync } from "@solidjs/router";
import { createSignal, For, Index, Show } from "solid-js";
import { getAgents, getAuditPage } from "../../api/client.ts";
import { createGithubFeed, type GithubFeedInput, getGithubFeeds, updateGithubFeed } from "../../api/discord-github.ts";
import { createMutation } from "../../api/mutation.ts";
import { useSession } from "../../session/session.tsx";
import { InlineError } from "../../ui/boundary.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { useGuild } from "./guild-context.tsx";
import { ChannelField, type GuildPickers, PickersNote } from "./pickers.tsx";

// The actions each event may report (schema/src/api/github.ts holds the same lists; imported there with zod).
const EVENT_ACTIONS = {
  pull_request: ["opened", "reopened", "closed", "merged", "ready_for_review"],
  workflow_run: ["success", "failure", "cancelled", "timed_out", "action_required", "neutral", "skipped", "stale", "startup_failure"],
  release: ["published", "released", "prereleased", "created"],
  issues: ["opened", "closed", "reopened"],
} as const;
type ListEvent = keyof typeof EVENT_ACTIONS;
const EVENT_NAMES: Record<ListEvent, string> = { pull_request: "Pull requests", workflow_run: "Workflow runs", release: "Releases", issues: "Issues" };

const DEFAULT_FILTERS: GithubFeedFilters = {
  repositories: [],
  branches: [],
  events: { push: true, pull_request: ["opened", "closed", "merged", "reopened"], workflow_run: ["success", "failure"], release: ["published"], issues: ["opened", "closed"] },
};

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((l) => l.trim())
    .filter(Boolean);

export function FeedDialog(props: { feed?: GithubFeedView; pickers: GuildPickers; onCreated: (feed: GithubFeedWithSecret) => void; onClose: () => void }) {
  const scope = useGuild();
  const session = useSession();
  const f = props.feed;
  const [name, setName] = createSignal(f?.name ?? "");
  const [channelId, setChannelId] = createSignal(f?.destination.kind === "channel" ? f.destination.channelId : "");
  const [repositories, setRepositories] = createSignal((f?.filters.repositories ?? []).join("\n"));
  const [branches, setBranches] = createSignal((f?.filters.branches ?? []).join("\n"));
  const [events, setEvents] = createSignal(structuredClone(f?.filters.events ?? DEFAULT_FILTERS.events));
  const [rules, setRules] = createSignal<GithubDeployRule[]>(structuredClone(f?.deployRules ?? []));
  const deploys = () => session.can("github.deploy");
  const agents = createAsync(() => (deploys() ? getAgents(scope.tenantId) : Promise.resolve({ items: [] })));
  // A feed that posts through a webhook keeps it unless a channel is chosen here.
  const keepsWebhook = () => f?.destination.kind === "webhook" && !channelId();

  const touched = () => [getGithubFeeds.keyFor(scope.tenantId), getAuditPage.key];
  const save = createMutation(async () => {
    const input: GithubFeedInput = {
      name: name().trim(),
      enabled: f?.enabled ?? true,
      filters: { repositories: lines(repositories()), branches: lines(branches()), events: events() },
      destination: { kind: "channel", channelId: channelId(), guildId: scope.guildId },
      deployRules: rules(),
    };
    const change: Partial<GithubFeedInput> = { ...input };
    if (keepsWebhook()) delete change.destination;
    if (!deploys()) delete change.deployRules;
    if (f) return { created: undefined, view: await updateGithubFeed(scope.tenantId, f.id, change) };
    return { created: await createGithubFeed(scope.tenantId, { ...input, deployRules: deploys() ? rules() : [] }), view: undefined };
  }, touched);

  function toggle(event: ListEvent, action: string, on: boolean) {
    const current = events()[event] as string[];
    setEvents({ ...events(), [event]: on ? [...current, action] : current.filter((a) => a !== action) });
  }
  const setRule = (i: number, change: Partial<GithubDeployRule>) => setRules(rules().map((r, j) => (j === i ? { ...r, ...change } : r)));

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    const done = await save.run();
    if (!done) return;
    if (done.value.created) props.onCreated(done.value.created);
    props.onClose();
  }

  return (
    <Dialog open title={f ? `Edit "${f.name}"` : "New GitHub feed"} onClose={() => props.onClose()} testId="feed-dialog">
      <form class="stack dialog-wide" onSubmit={submit} data-testid="feed-form">
        <div class="form-row">
          <label class="field grow">
            <span>Name</span>
            <input class="input" name="feed-name" required maxLength={120} placeholder="e.g. homelab repos" value={name()} onInput={(e) => setName(e.currentTarget.value)} data-testid="feed-name" />
          </label>
          <ChannelField pickers={props.pickers} name="feed-channel" label="Post in" value={channelId()} onChange={setChannelId} testId="feed-channel" />
        </div>
        <Show when={keepsWebhook()}>
          <span class="field-hint">Posts through a Discord webhook today; choose a channel to switch to the bot.</span>
        </Show>
        <PickersNote pickers={props.pickers} />
        <div class="form-row">
          <label class="field">
            <span>Repositories</span>
            <textarea class="input" name="feed-repositories" placeholder={"All repositories\n(or owner/name, owner/*)"} value={repositories()} onInput={(e) => setRepositories(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>Branches</span>
            <textarea class="input" name="feed-branches" placeholder={"All branches\n(or main, release/*)"} value={branches()} onInput={(e) => setBranches(e.currentTarget.value)} />
          </label>
        </div>
        <span class="field-hint">One per line. * matches within a path segment, ** across them. Releases and issues have no branch.</span>
        <fieldset class="field">
          <span class="field-label">Events</span>
          <div class="chips">
            <label>
              <input type="checkbox" checked={events().push} onChange={(e) => setEvents({ ...events(), push: e.currentTarget.checked })} data-testid="feed-event-push" /> Pushes
            </label>
          </div>
          <For each={Object.keys(EVENT_ACTIONS) as ListEvent[]}>
            {(event) => (
              <div class="chips" data-testid={`feed-event-${event}`}>
                <strong class="muted">{EVENT_NAMES[event]}:</strong>
                <For each={EVENT_ACTIONS[event]}>
                  {(action) => (
                    <label>
                      <input type="checkbox" checked={(events()[event] as string[]).includes(action)} onChange={(e) => toggle(event, action, e.currentTarget.checked)} />
                      {action.replace(/_/g, " ")}
                    </label>
                  )}
                </For>
              </div>
            )}
          </For>
        </fieldset>
        <Show when={deploys()}>
          <fieldset class="field" data-testid="feed-deploy-rules">
            <span class="field-label">Deploy on push</span>
            <span class="field-hint">
              A push to the branch runs <code>deploy.run</code> on the host: it pulls the checkout the agent knows by that name (NEBULA_REPOS)
              and brings it up; the result is posted in the channel.
            </span>
            <Index each={rules()}>
              {(rule, i) => (
                <div class="form-row">
                  <input class="input mono" aria-label="Repository" placeholder="owner/name" required value={rule().repository} onInput={(e) => setRule(i, { repository: e.currentTarget.value.trim() })} />
                  <input class="input mono" aria-label="Branch" placeholder="main" required value={rule().branch} onInput={(e) => setRule(i, { branch: e.currentTarget.value.trim() })} />
                  <select class="select" aria-label="Host" required value={rule().agentId} onChange={(e) => setRule(i, { agentId: e.currentTarget.value })}>
                    <option value="">Host…</option>
                    <For each={(agents()?.items ?? []).filter((a) => !a.revokedAt)}>{(a) => <option value={a.id}>{a.name}</option>}</For>
                  </select>
                  <input class="input mono" aria-label="Checkout on the host" placeholder="site" required value={rule().repo} onInput={(e) => setRule(i, { repo: e.currentTarget.value.trim() })} />
                  <button type="button" class="btn btn-sm btn-ghost-danger" aria-label="Remove deploy rule" onClick={() => setRules(rules().filter((_, j) => j !== i))}>
                    Remove
                  </button>
                </div>
              )}
            </Index>
            <div>
              <button type="button" class="btn btn-sm" disabled={rules().length >= 10} onClick={() => setRules([...rules(), { repository: "", branch: "main", agentId: "", repo: "" }])}>
                Add deploy rule
              </button>
            </div>
          </fieldset>
        </Show>
        <Show when={save.error()}>{(err) => <InlineError error={err()} />}</Show>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={() => props.onClose()} disabled={save.pending()}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={save.pending() || (!channelId() && !keepsWebhook())} data-testid="feed-save">
            {save.pending() ? "Saving…" : f ? "Save" : "Create feed"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
