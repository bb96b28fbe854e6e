// One line on a Twitch connection's card: "Events: 5 of 6 subscribed", then each subscription that failed or that
// Twitch revoked, with why, and the way out: Reconnect when only a new consent helps (a missing scope), else Retry.
import type { ConnectionView, EventSubStatus } from "@nebula/schema/api/connections";
import { revalidate, useSearchParams } from "@solidjs/router";
import { createSignal, For, onCleanup, Show } from "solid-js";
import { getMyConnections, getTenantConnections, retryEventSubs } from "../../api/streams-connections.ts";
import { createMutation } from "../../api/mutation.ts";
import { InlineError } from "../../ui/boundary.tsx";

/** The subscriptions are created just after the connect's redirect: re-read this often, this many times, meanwhile. */
const SETTLE_EVERY_MS = 1000;
const SETTLE_TRIES = 20;

/**
 * The card's EventSub area: the status once there is one; "subscribing…" right after this platform was connected. A
 * reconnect already has a status (the one before it): that is re-read too, or the card would keep the old count.
 */
export function EventSubArea(props: { tenantId: string; connection: ConnectionView; busy: boolean; onReconnect: () => void }) {
  const [params] = useSearchParams<{ connected?: string }>();
  const justConnected = () => params.connected === props.connection.platform;
  return (
    <>
      <Show when={justConnected() && props.connection.eventSub}>
        <SettlingRefresh />
      </Show>
      <Show when={props.connection.eventSub} fallback={<Show when={justConnected()}>{<EventSubPending />}</Show>}>
        {(status) => <EventSubLine tenantId={props.tenantId} connectionId={props.connection.id} status={status()} busy={props.busy} onReconnect={props.onReconnect} />}
      </Show>
    </>
  );
}

/** Re-reads the connections every SETTLE_EVERY_MS, SETTLE_TRIES times, while mounted; the signal counts the reads. */
function settlingReads(): () => number {
  const [tries, setTries] = createSignal(0);
  const timer = setInterval(() => {
    setTries(tries() + 1);
    if (tries() >= SETTLE_TRIES) clearInterval(timer);
    else void revalidate(getMyConnections.key);
  }, SETTLE_EVERY_MS);
  onCleanup(() => clearInterval(timer));
  return tries;
}

function SettlingRefresh() {
  settlingReads();
  return null;
}

function EventSubPending() {
  const tries = settlingReads();
  return (
    <Show when={tries() < SETTLE_TRIES}>
      <div class="muted eventsub-status" data-testid="eventsub-pending">
        Events: subscribing…
      </div>
    </Show>
  );
}

function EventSubLine(props: { tenantId: string; connectionId: string; status: EventSubStatus; busy: boolean; onReconnect: () => void }) {
  const retry = createMutation(
    () => retryEventSubs(props.tenantId, props.connectionId),
    () => [getMyConnections.key, getTenantConnections.key],
  );
  const healthy = () => props.status.failures.length === 0;
  const needsReconnect = () => props.status.failures.some((f) => f.needsReconnect);
  return (
    <div class="eventsub-status" data-testid="eventsub-status" data-healthy={healthy() ? "true" : "false"}>
      <div class={healthy() ? "muted" : "eventsub-summary"} data-testid="eventsub-summary">
        Events: {props.status.subscribed} of {props.status.wanted} subscribed
      </div>
      <Show when={!healthy()}>
        <ul class="eventsub-failures">
          <For each={props.status.failures}>
            {(f) => (
              <li data-testid="eventsub-failure">
                <code>{f.type}</code> {f.state === "revoked" ? "" : "failed: "}
                {f.reason}
              </li>
            )}
          </For>
        </ul>
        <div class="connection-actions">
          <Show when={needsReconnect()}>
            <button type="button" class="btn btn-sm btn-primary" disabled={props.busy} onClick={() => props.onReconnect()} data-testid="eventsub-reconnect">
              Reconnect
            </button>
          </Show>
          <button type="button" class="btn btn-sm" disabled={retry.pending()} onClick={() => void retry.run()} data-testid="eventsub-retry">
            {retry.pending() ? "Retrying…" : "Retry"}
          </button>
        </div>
        <Show when={retry.error()}>{(err) => <InlineError error={err()} />}</Show>
      </Show>
    </div>
  );
}
