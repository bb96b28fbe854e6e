// Streams: the server's tracked streamers (go-live alerts), how each is detected, "Send test alert", add/edit/remove,
// and the recent stream sessions the bot announced.
import { createAsync, revalidate } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { getAuditPage } from "../../api/client.ts";
import {
  getGoLiveStatus,
  getStreamSessions,
  getTrackedStreamers,
  removeTrackedStreamer,
  sendStreamTestAlert,
  type TrackedStreamer,
} from "../../api/discord-streams.ts";
import { createMutation } from "../../api/mutation.ts";
import { useSession } from "../../session/session.tsx";
import { Badge, type BadgeTone } from "../../ui/badge.tsx";
import { Boundary } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { ConfirmActionButton, ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ListIcon, StreamIcon } from "../../ui/icons.tsx";
import { ListTable } from "../../ui/table.tsx";
import { TimeAgo } from "../../ui/time.tsx";
import { CardError, CardSuccess } from "./card-notices.tsx";
import { useGuild } from "./guild-context.tsx";
import { NewItemButton } from "./new-item-button.tsx";
import { channelLabel, roleLabel, useGuildPickers } from "./pickers.tsx";
import { platformName, StreamerDialog } from "./streamer-dialog.tsx";

const DETECTION: Record<TrackedStreamer["detection"], { label: string; tone: BadgeTone; what: string }> = {
  webhook: { label: "Webhooks", tone: "success", what: "The platform tells us the moment the stream starts" },
  polling: { label: "Polling", tone: "accent", what: "Checked every few minutes" },
  presence: { label: "Discord presence", tone: "accent", what: "Seen from the member's Streaming status" },
  not_connected: { label: "Not connected", tone: "warning", what: "The platform has no credentials on this deployment" },
};

function duration(start: string, end: string | null): string {
  const minutes = Math.round(((end ? Date.parse(end) : Date.now()) - Date.parse(start)) / 60_000);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function StreamersCard() {
  const scope = useGuild();
  const session = useSession();
  const manage = () => session.can("streams.manage");
  const streamers = createAsync(() => getTrackedStreamers(scope.tenantId, scope.guildId));
  const status = createAsync(() => getGoLiveStatus(scope.tenantId));
  const pickers = useGuildPickers();
  // undefined: closed; null: adding.
  const [editing, setEditing] = createSignal<TrackedStreamer | null>();
  const [tested, setTested] = createSignal<string>();
  const touched = () => [getTrackedStreamers.keyFor(scope.tenantId, scope.guildId), getAuditPage.key];
  const test = createMutation((s: TrackedStreamer) => sendStreamTestAlert(scope.tenantId, s.id), () => [getAuditPage.key]);
  const remove = createConfirmAction((s: TrackedStreamer) => removeTrackedStreamer(scope.tenantId, s.id), touched);
  const offline = () => {
    const p = status()?.platforms;
    return p ? (["twitch", "youtube", "kick"] as const).filter((k) => !p[k].connected).map(platformName) : [];
  };

  async function sendTest(s: TrackedStreamer) {
    setTested(undefined);
    if (await test.run(s)) setTested(s.displayName);
  }

  return (
    <>
      <Card
        title="Tracked streamers"
        testId="streamers-card"
        description="When one of them goes live, the bot posts once in the chosen channel, and edits the message when the stream ends."
        actions={
          <NewItemButton when={manage()} testId="add-streamer" onClick={() => setEditing(null)}>
            Track streamer
          </NewItemButton>
        }
      >
        <Show when={offline().length > 0}>
          <div class="card-body">
            <div class="notice notice-warning" data-testid="platforms-offline">
              Not connected on this deployment: {offline().join(", ")}. Streamers there are only detected through their Discord presence,
              and need their platform ID when added.
            </div>
          </div>
        </Show>
        <Show when={tested()}>
          {(name) => (
            <CardSuccess testId="test-alert-sent">
              Test alert for {name()} queued; it appears in the channel in a moment.
            </CardSuccess>
          )}
        </Show>
        <CardError error={test.error()} />
        <ListTable
          items={streamers()?.items}
          empty={
            <EmptyState icon={<StreamIcon size={20} />} title="No streamers tracked yet" testId="streamers-empty">
              {manage()
                ? "Track a Twitch, YouTube or Kick channel to announce its streams here. Members can also use /streams add."
                : "An admin tracks streamers here or with /streams add."}
            </EmptyState>
          }
          columns={["Streamer", "Platform", "Posts in", "Pings", "Detection", "Status"]}
          actions
          testId="streamers-table"
        >
          {(s) => (
            <tr data-testid="streamer-row" data-streamer-id={s.id}>
              <td>
                <strong>{s.displayName}</strong>
                {/* The login only where it differs from the name shown (YouTube handles, Twitch display names). */}
                <Show when={s.login.toLowerCase() !== s.displayName.toLowerCase()}>
                  <div class="faint">{s.login}</div>
                </Show>
              </td>
              <td>{platformName(s.platform)}</td>
              <td class="mono">{channelLabel(pickers, s.channelId)}</td>
              <td class="mono">{s.pingRoleId ? roleLabel(pickers, s.pingRoleId) : <span class="faint">No ping</span>}</td>
              <td>
                <span title={DETECTION[s.detection].what}>
                  <Badge tone={DETECTION[s.detection].tone} plain>
                    {DETECTION[s.detection].label}
                  </Badge>
                </span>
              </td>
              <td>
                <Badge tone={s.enabled ? "success" : "neutral"}>{s.enabled ? "on" : "paused"}</Badge>
              </td>
              <td class="actions nowrap">
                <Show when={session.can("streams.test")}>
                  <button type="button" class="btn btn-sm" disabled={test.pending()} aria-label={`Send test alert for ${s.displayName}`} onClick={() => void sendTest(s)} data-testid="streamer-test">
                    Send test
                  </button>{" "}
                </Show>
                <Show when={manage()}>
                  <button type="button" class="btn btn-sm" aria-label={`Edit ${s.displayName}`} onClick={() => setEditing(s)}>
                    Edit
                  </button>{" "}
                  <ConfirmActionButton action={remove} row={s} label="Remove" ariaLabel={`Remove ${s.displayName}`} />
                </Show>
              </td>
            </tr>
          )}
        </ListTable>
      </Card>
      <Show when={editing() !== undefined}>
        <StreamerDialog streamer={editing() ?? undefined} status={status()} pickers={pickers} onClose={() => setEditing(undefined)} />
      </Show>
      <ConfirmActionDialog
        action={remove}
        title="Stop tracking this streamer?"
        message={(s) => (
          <>
            <strong>{s.displayName}</strong> ({platformName(s.platform)}) is no longer announced in this server. Past announcements stay.
          </>
        )}
        confirmLabel="Stop tracking"
      />
    </>
  );
}

function SessionsCard() {
  const scope = useGuild();
  const streamers = createAsync(() => getTrackedStreamers(scope.tenantId, scope.guildId));
  const sessions = createAsync(() => getStreamSessions(scope.tenantId));
  const nameOf = (id: string) => streamers()?.items.find((s) => s.id === id)?.displayName;
  // Sessions are the tenant's; this server shows those of its own streamers.
  const mine = () => (sessions()?.items ?? []).filter((x) => nameOf(x.streamerId) !== undefined);
  return (
    <Card
      title="Recent streams"
      testId="stream-sessions"
      description="Each stream is announced once, however many sources saw it go live."
      actions={
        <button type="button" class="btn btn-sm" onClick={() => revalidate(getStreamSessions.key)}>
          Refresh
        </button>
      }
    >
      <ListTable
        items={mine()}
        empty={
          <EmptyState icon={<ListIcon size={20} />} title="No streams yet" testId="stream-sessions-empty">
            When a tracked streamer goes live, the stream shows here with its title, game, duration and whether the alert went out.
          </EmptyState>
        }
        columns={["Started", "Streamer", "Title", "Game", "Length", "Seen by", "Alert"]}
        testId="stream-sessions-table"
      >
        {(x) => (
          <tr data-testid="stream-session-row">
            <td class="nowrap">
              <TimeAgo iso={x.startedAt} />
            </td>
            <td>{nameOf(x.streamerId)}</td>
            <td>
              <a href={x.vodUrl ?? x.url} target="_blank" rel="noreferrer">
                {x.title || "Untitled"}
              </a>
            </td>
            <td>{x.game}</td>
            <td class="nowrap">
              {duration(x.startedAt, x.endedAt)}
              <Show when={!x.endedAt}>
                {" "}
                <Badge tone="danger">live</Badge>
              </Show>
            </td>
            <td class="faint">{x.sources.join(", ")}</td>
            <td>{x.notified ? "Sent" : <span class="faint">Not sent</span>}</td>
          </tr>
        )}
      </ListTable>
    </Card>
  );
}

export default function StreamsTab() {
  return (
    <div class="stack" data-testid="discord-streams">
      <Boundary>
        <StreamersCard />
      </Boundary>
      <Boundary>
        <SessionsCard />
      </Boundary>
    </div>
  );
}
