// GitHub (More tools): the tenant's webhook feeds. Creating one shows its secret once, to paste into GitHub with the
// Payload URL; rotating asks first (the old secret stops at once); each feed's recent deliveries show what GitHub sent.
import type { GithubDeliveryStatus, GithubFeedView, GithubFeedWithSecret } from "@nebula/schema/api/github";
import { createAsync, revalidate } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { getAuditPage } from "../../api/client.ts";
import { deleteGithubFeed, getGithubDeliveries, getGithubFeeds, rotateGithubSecret, sendGithubTest, updateGithubFeed } from "../../api/discord-github.ts";
import { createMutation } from "../../api/mutation.ts";
import { useSession } from "../../session/session.tsx";
import { Badge, type BadgeTone } from "../../ui/badge.tsx";
import { Boundary } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { ConfirmActionButton, ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { CopyField } from "../../ui/copy-field.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { AlertIcon, ListIcon } from "../../ui/icons.tsx";
import { ShownOnce } from "../../ui/shown-once.tsx";
import { ListTable } from "../../ui/table.tsx";
import { TimeAgo } from "../../ui/time.tsx";
import { CardError, CardSuccess } from "./card-notices.tsx";
import { FeedDialog } from "./feed-dialog.tsx";
import { useGuild } from "./guild-context.tsx";
import { NewItemButton } from "./new-item-button.tsx";
import { channelLabel, useGuildPickers } from "./pickers.tsx";

const DELIVERY_TONE: Record<GithubDeliveryStatus, BadgeTone> = {
  queued: "success",
  ping: "accent",
  filtered: "neutral",
  ignored: "neutral",
  disabled: "warning",
  failed: "danger",
};

function eventsText(feed: GithubFeedView): string {
  const e = feed.filters.events;
  const on = [e.push && "push", e.pull_request.length && "pull requests", e.workflow_run.length && "workflows", e.release.length && "releases", e.issues.length && "issues"];
  return on.filter(Boolean).join(", ") || "none";
}

function Deliveries(props: { feed: GithubFeedView }) {
  const scope = useGuild();
  const deliveries = createAsync(() => getGithubDeliveries(scope.tenantId, props.feed.id));
  return (
    <Card
      title={`Recent deliveries · ${props.feed.name}`}
      testId="github-deliveries"
      description="What GitHub sent to this feed and what became of it."
      actions={
        <button type="button" class="btn btn-sm" onClick={() => revalidate(getGithubDeliveries.keyFor(scope.tenantId, props.feed.id))}>
          Refresh
        </button>
      }
    >
      <ListTable
        items={deliveries()?.items}
        empty={
          <EmptyState icon={<ListIcon size={20} />} title="Nothing delivered yet" testId="github-deliveries-empty">
            Add the Payload URL and secret to a repository's Settings › Webhooks (content type application/json). GitHub's ping shows here.
          </EmptyState>
        }
        columns={["Received", "Event", "Repository", "Result", "Detail"]}
        testId="github-deliveries-table"
      >
        {(d) => (
          <tr>
            <td class="nowrap">
              <TimeAgo iso={d.receivedAt} />
            </td>
            <td class="mono">
              {d.event}
              {d.action ? `.${d.action}` : ""}
            </td>
            <td>{d.repository ?? <span class="faint">—</span>}</td>
            <td>
              <Badge tone={DELIVERY_TONE[d.status]}>{d.status}</Badge>
            </td>
            <td class="faint">{d.detail ?? ""}</td>
          </tr>
        )}
      </ListTable>
    </Card>
  );
}

function FeedsCard() {
  const scope = useGuild();
  const session = useSession();
  const manage = () => session.can("github.manage");
  const feeds = createAsync(() => getGithubFeeds(scope.tenantId));
  const pickers = useGuildPickers();
  const [editing, setEditing] = createSignal<GithubFeedView | null>();
  const [selected, setSelected] = createSignal<string>();
  const [secret, setSecret] = createSignal<{ feed: GithubFeedWithSecret; rotated: boolean }>();
  const [tested, setTested] = createSignal<string>();
  const touched = () => [getGithubFeeds.keyFor(scope.tenantId), getAuditPage.key];
  const rotate = createConfirmAction(async (f: GithubFeedView) => setSecret({ feed: await rotateGithubSecret(scope.tenantId, f.id), rotated: true }), touched);
  const remove = createConfirmAction((f: GithubFeedView) => deleteGithubFeed(scope.tenantId, f.id), touched);
  const toggle = createMutation((f: GithubFeedView) => updateGithubFeed(scope.tenantId, f.id, { enabled: !f.enabled }), touched);
  const test = createMutation((f: GithubFeedView) => sendGithubTest(scope.tenantId, f.id), () => [getAuditPage.key]);
  const shown = () => feeds()?.items.find((f) => f.id === selected()) ?? feeds()?.items[0];

  return (
    <>
      <Card
        title="GitHub feeds"
        testId="github-feeds"
        description="Pushes, pull requests, workflow runs, releases and issues from your repositories, posted in Discord."
        actions={
          <NewItemButton when={manage()} testId="create-feed" onClick={() => setEditing(null)}>
            New feed
          </NewItemButton>
        }
      >
        <Show when={secret()}>
          {(s) => (
            <div class="card-body stack">
              <ShownOnce
                tone="warning"
                title={
                  <>
                    <AlertIcon size={14} /> {s().rotated ? "New secret" : "Secret"} for "{s().feed.name}": copy it now
                  </>
                }
                value={s().feed.secret}
                label="webhook secret"
                testId="feed-secret-shown"
                valueTestId="feed-secret"
                dismissLabel="I've copied it"
                onDismiss={() => setSecret(undefined)}
              >
                Paste it as the webhook's Secret in GitHub, with the Payload URL below. It is shown this once; only an encrypted copy is kept.
                {s().rotated ? " The old secret no longer verifies deliveries." : ""}
              </ShownOnce>
              <CopyField value={s().feed.hookUrl} label="Payload URL" testId="feed-hook-url" />
            </div>
          )}
        </Show>
        <Show when={tested()}>
          <CardSuccess testId="feed-test-sent">
            Test message queued for {tested()}.
          </CardSuccess>
        </Show>
        <CardError error={toggle.error() ?? test.error()} />
        <ListTable
          items={feeds()?.items}
          empty={
            <EmptyState icon={<ListIcon size={20} />} title="No GitHub feeds yet" testId="github-feeds-empty">
              {manage() ? "Create a feed to get a webhook URL and secret for your repositories." : "An admin creates GitHub feeds; they appear here."}
            </EmptyState>
          }
          columns={["Feed", "Posts in", "Events", "Deploys", "Last delivery", "Status"]}
          actions
          testId="github-feeds-table"
        >
          {(f) => (
            <tr data-testid="feed-row" data-feed-id={f.id}>
              <td>
                <strong title={`Payload URL: ${f.hookUrl}`}>{f.name}</strong>
              </td>
              <td class="mono">{f.destination.kind === "channel" ? channelLabel(pickers, f.destination.channelId) : f.destination.masked}</td>
              <td>{eventsText(f)}</td>
              <td>{f.deployRules.length || <span class="faint">—</span>}</td>
              <td class="nowrap">
                <Show when={f.lastDelivery} fallback={<span class="faint">Never</span>}>
                  {(d) => (
                    <>
                      <TimeAgo iso={d().at} /> <Badge tone={DELIVERY_TONE[d().status]}>{d().status}</Badge>
                    </>
                  )}
                </Show>
              </td>
              <td>
                <Badge tone={f.enabled ? "success" : "neutral"}>{f.enabled ? "on" : "paused"}</Badge>
              </td>
              <td class="actions">
                <div class="row-actions">
                <button type="button" class="btn btn-sm" aria-label={`Deliveries of ${f.name}`} onClick={() => setSelected(f.id)}>
                  Deliveries
                </button>{" "}
                <Show when={manage()}>
                  <button
                    type="button"
                    class="btn btn-sm"
                    disabled={test.pending()}
                    onClick={async () => (await test.run(f)) && setTested(f.name)}
                    aria-label={`Send test message for ${f.name}`}
                  >
                    Test
                  </button>{" "}
                  <button type="button" class="btn btn-sm" aria-label={`Edit ${f.name}`} onClick={() => setEditing(f)}>
                    Edit
                  </button>{" "}
                  <button type="button" class="btn btn-sm" disabled={toggle.pending()} onClick={() => void toggle.run(f)}>
                    {f.enabled ? "Pause" : "Resume"}
                  </button>{" "}
                  <ConfirmActionButton action={rotate} row={f} label="Rotate secret" ariaLabel={`Rotate the secret of ${f.name}`} />{" "}
                  <ConfirmActionButton action={remove} row={f} label="Delete" ariaLabel={`Delete ${f.name}`} />
                </Show>
                </div>
              </td>
            </tr>
          )}
        </ListTable>
      </Card>
      <Show when={shown()} keyed>
        {(f) => (
          <Boundary>
            <Deliveries feed={f} />
          </Boundary>
        )}
      </Show>
      <Show when={editing() !== undefined}>
        <FeedDialog
          feed={editing() ?? undefined}
          pickers={pickers}
          onCreated={(feed) => {
            setSecret({ feed, rotated: false });
            setSelected(feed.id);
          }}
          onClose={() => setEditing(undefined)}
        />
      </Show>
      <ConfirmActionDialog
        action={rotate}
        title="Rotate webhook secret?"
        message={(f) => (
          <>
            A new secret for <strong>{f.name}</strong> is made and shown once. GitHub's deliveries fail until you paste it into the webhook's
            settings.
          </>
        )}
        confirmLabel="Rotate secret"
      />
      <ConfirmActionDialog
        action={remove}
        title="Delete GitHub feed?"
        message={(f) => (
          <>
            <strong>{f.name}</strong>'s webhook URL stops accepting deliveries at once, and its deploy rules stop. This cannot be undone.
          </>
        )}
        confirmLabel="Delete feed"
      />
    </>
  );
}

export default function GithubTab() {
  return (
    <div class="stack" data-testid="discord-github">
      <Boundary>
        <FeedsCard />
      </Boundary>
    </div>
  );
}
