// The Connections section of /streams: the signed-in streamer's Twitch, YouTube and Kick accounts, one card each
// (connected / expiring / needs re-authorization / not connected), with Connect, Reconnect, Disconnect and "Enable
// chat bot scopes"; admins also see every member's connections. Connecting leaves for the platform's consent screen and
// comes back here with ?connected= or ?connection_error=.
import type { ConnectionPlatform, ConnectionView, PlatformConnectionSlot } from "@nebula/schema/api/connections";
import { createAsync, useSearchParams } from "@solidjs/router";
import { createSignal, For, type JSX, Match, Show, Suspense, Switch } from "solid-js";
import { disconnectConnection, getMyConnections, getTenantConnections, startConnection, upgradeConnection } from "../../api/streams-connections.ts";
import { useSession } from "../../session/session.tsx";
import { Avatar } from "../../ui/avatar.tsx";
import { Badge, type BadgeTone } from "../../ui/badge.tsx";
import { Boundary, InlineError, Loading } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { createConfirmAction, ConfirmActionDialog } from "../../ui/confirm-action.tsx";
import "./connections.css";
import { EventSubArea } from "./eventsub-status.tsx";
import { YouTubeQuotaLine } from "./youtube-quota.tsx";

const NAMES: Record<ConnectionPlatform, string> = { twitch: "Twitch", youtube: "YouTube", kick: "Kick", spotify: "Spotify" };
/** What uses each connection, in the words the copy below needs: Spotify only feeds now-playing overlay layers. */
const USED_BY: Record<ConnectionPlatform, string> = { twitch: "the inbox and chat bot", youtube: "the inbox and chat bot", kick: "the inbox and chat bot", spotify: "now-playing overlay layers" };
/** Spotify has no token revocation endpoint: disconnecting only deletes the tokens here. */
const REVOCABLE: Record<ConnectionPlatform, boolean> = { twitch: true, youtube: true, kick: true, spotify: false };

const STATUS: Record<ConnectionView["status"], { label: string; tone: BadgeTone }> = {
  connected: { label: "Connected", tone: "success" },
  expiring: { label: "Expiring", tone: "warning" },
  needs_reauth: { label: "Needs re-authorization", tone: "danger" },
  revoked: { label: "Revoked", tone: "danger" },
};

const FAILURES: Record<string, string> = {
  state: "The sign-in link expired or was already used. Start the connection again.",
  denied: "You cancelled on the platform's consent screen.",
  refused: "The platform refused the sign-in. Try again.",
  conflict: "That account is already connected by another member of this tenant.",
  wrong_account: "Enabling the chat bot needs the same account that is connected.",
  upstream: "The platform could not be reached. Try again in a moment.",
  misconfigured: "This platform's app credentials are not set on the server.",
  no_channel: "That Google account has no YouTube channel.",
};

export function ConnectionsSection() {
  const session = useSession();
  const tenantId = () => session.tenant()?.id ?? "";
  const [params, setParams] = useSearchParams<{ connected?: string; connection_error?: string; platform?: string }>();
  const mine = createAsync(() => getMyConnections(tenantId()));
  const [leaving, setLeaving] = createSignal<string>();
  const [error, setError] = createSignal<unknown>();
  const disconnect = createConfirmAction((c: ConnectionView) => disconnectConnection(tenantId(), c.id), () => [getMyConnections.key, getTenantConnections.key]);

  async function go(key: string, authorize: () => Promise<{ authorizeUrl: string }>) {
    setLeaving(key);
    setError(undefined);
    try {
      window.location.assign((await authorize()).authorizeUrl);
    } catch (err) {
      setError(err);
      setLeaving(undefined);
    }
  }

  const notice = (): JSX.Element | null => {
    const platform = NAMES[params.platform as ConnectionPlatform] ?? params.platform ?? "";
    if (params.connected) return <>{NAMES[params.connected as ConnectionPlatform] ?? params.connected} is connected.</>;
    if (params.connection_error) return <>{platform}: {FAILURES[params.connection_error] ?? "The connection failed."}</>;
    return null;
  };

  return (
    <Card title="Connections" description="Your own Twitch, YouTube and Kick accounts (the inbox reads them and the chat bot speaks through them) and Spotify (for now-playing overlay layers)." testId="stream-connections">
      <Show when={notice()}>
        {(text) => (
          <div class="banner" classList={{ "banner-success": !!params.connected }} data-testid="connection-notice" style={{ margin: "0 16px" }}>
            <span class="grow">{text()}</span>
            <button type="button" class="btn btn-sm btn-ghost" onClick={() => setParams({ connected: undefined, connection_error: undefined, platform: undefined })}>
              Dismiss
            </button>
          </div>
        )}
      </Show>
      <Show when={error()}>{(err) => <div style={{ padding: "0 16px" }}><InlineError error={err()} /></div>}</Show>
      <Boundary>
        <Suspense fallback={<Loading label="Loading connections" />}>
          <div class="connections-grid">
            <For each={mine()?.platforms}>
              {(slot) => (
                <PlatformCard
                  tenantId={tenantId()}
                  slot={slot}
                  busy={leaving() !== undefined}
                  onConnect={() => go(slot.platform, () => startConnection(tenantId(), slot.platform, slot.connection?.features.chatbot ? "chatbot" : "base"))}
                  onUpgrade={(c) => go(`${slot.platform}-upgrade`, () => upgradeConnection(tenantId(), c.id))}
                  onDisconnect={(c) => disconnect.ask(c)}
                />
              )}
            </For>
          </div>
        </Suspense>
      </Boundary>
      <Show when={session.can("connections.admin")}>
        <AllConnections tenantId={tenantId()} onDisconnect={(c) => disconnect.ask(c)} />
      </Show>
      <ConfirmActionDialog
        action={disconnect}
        title="Disconnect account"
        message={(c) => <>Disconnect {c.displayName} on {NAMES[c.platform]}? {REVOCABLE[c.platform] ? <>The token is revoked at {NAMES[c.platform]} and deleted here</> : <>The token is deleted here ({NAMES[c.platform]} has no way to revoke it remotely; remove the app in your {NAMES[c.platform]} account settings to cut it off there)</>}; {USED_BY[c.platform]} stop using it.</>}
        confirmLabel="Disconnect"
      />
    </Card>
  );
}

function PlatformCard(props: { tenantId: string; slot: PlatformConnectionSlot; busy: boolean; onConnect: () => void; onUpgrade: (c: ConnectionView) => void; onDisconnect: (c: ConnectionView) => void }) {
  const name = () => NAMES[props.slot.platform];
  return (
    <article class="connection-card" data-testid={`connection-${props.slot.platform}`}>
      <header>
        <strong>{name()}</strong>
        <Show when={props.slot.connection} fallback={<Badge tone="neutral" testId="connection-status">Not connected</Badge>}>
          {(c) => (
            <Badge tone={STATUS[c().status].tone} testId="connection-status">
              {STATUS[c().status].label}
            </Badge>
          )}
        </Show>
      </header>
      <Switch>
        <Match when={!props.slot.configured}>
          <p class="muted" data-testid="connection-unconfigured">
            {name()} is not set up on this server. An administrator sets {props.slot.missing.join(" and ")} to allow connecting.
          </p>
        </Match>
        <Match when={props.slot.connection}>
          {(c) => (
            <>
              <div class="connection-account">
                <Avatar name={c().displayName} url={c().avatarUrl} size={36} />
                <div>
                  <div data-testid="connection-account">{c().displayName}</div>
                  <div class="muted">{c().login}</div>
                </div>
              </div>
              <Show when={c().status === "needs_reauth" || c().status === "revoked"}>
                <p class="inline-error" data-testid="connection-reauth">
                  {/* The server's reason is a sentence naming the platform (workers/src/connections/connection-tokens.ts). */}
                  {c().lastRefreshError || `${name()} no longer accepts this connection.`} Reconnect to keep {USED_BY[props.slot.platform]} working.
                </p>
              </Show>
              <Show when={c().status === "expiring"}>
                <p class="muted">The token expires soon and could not be renewed yet{c().lastRefreshError ? `: ${c().lastRefreshError}` : ""}. It is retried every 5 minutes.</p>
              </Show>
              <EventSubArea tenantId={props.tenantId} connection={c()} busy={props.busy} onReconnect={() => props.onConnect()} />
              <Show when={props.slot.platform === "youtube"}>
                <YouTubeQuotaLine tenantId={props.tenantId} />
              </Show>
              <div class="connection-scopes" title="Scopes granted">
                <For each={c().scopes}>{(s) => <Badge plain>{s.replace("https://www.googleapis.com/auth/", "")}</Badge>}</For>
              </div>
              <div class="connection-actions">
                <Show when={c().status === "needs_reauth" || c().status === "revoked" || c().status === "expiring"}>
                  <button type="button" class="btn btn-sm btn-primary" disabled={props.busy} onClick={() => props.onConnect()}>
                    Reconnect
                  </button>
                </Show>
                <Show when={props.slot.platform !== "spotify" && !c().features.chatbot && c().status === "connected"}>
                  <button type="button" class="btn btn-sm" disabled={props.busy} onClick={() => props.onUpgrade(c())} data-testid="connection-upgrade">
                    Enable chat bot scopes
                  </button>
                </Show>
                <button type="button" class="btn btn-sm btn-ghost-danger" onClick={() => props.onDisconnect(c())} data-testid="connection-disconnect">
                  Disconnect
                </button>
              </div>
            </>
          )}
        </Match>
        <Match when={true}>
          <p class="muted">
            <Show when={props.slot.platform !== "spotify"} fallback={<>Not connected. Connecting asks Spotify to read what is playing, for now-playing overlay layers.</>}>
              Not connected. Connecting asks {name()} for your identity and what the inbox reads; the chat bot's scopes come later, when you enable it.
            </Show>
          </p>
          <div class="connection-actions">
            <button type="button" class="btn btn-sm btn-primary" disabled={props.busy} onClick={() => props.onConnect()} data-testid="connection-connect">
              Connect {name()}
            </button>
          </div>
        </Match>
      </Switch>
    </article>
  );
}

function AllConnections(props: { tenantId: string; onDisconnect: (c: ConnectionView) => void }) {
  const all = createAsync(() => getTenantConnections(props.tenantId));
  return (
    <Boundary>
      <Suspense fallback={<Loading label="Loading every member's connections" />}>
        <div style={{ padding: "0 16px 16px" }} data-testid="all-connections">
          <h3>Every member's connections</h3>
          <Show when={(all()?.items.length ?? 0) > 0} fallback={<p class="muted">No member has connected a platform yet.</p>}>
            <table class="table">
              <thead>
                <tr>
                  <th>Member</th>
                  <th>Platform</th>
                  <th>Account</th>
                  <th>Status</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                <For each={all()?.items}>
                  {(c) => (
                    <tr>
                      <td>{c.userName}</td>
                      <td>{NAMES[c.platform]}</td>
                      <td>{c.displayName}</td>
                      <td>
                        <Badge tone={STATUS[c.status].tone}>{STATUS[c.status].label}</Badge>
                      </td>
                      <td>
                        <button type="button" class="btn btn-sm btn-ghost-danger" onClick={() => props.onDisconnect(c)}>
                          Disconnect
                        </button>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </Show>
        </div>
      </Suspense>
    </Boundary>
  );
}
