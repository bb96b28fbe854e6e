// How the server reports on itself (/healthz), as rows a person can act on: what is connected, and for
// what is not, which environment variables turn it on.
import type { Health } from "@nebula/schema/api/core";
import { For, type JSX, Show } from "solid-js";

export type StatusState = "ok" | "bad" | "off";

export const DISCORD_FEATURES = [
  {
    key: "interactions",
    name: "Slash commands",
    what: "Discord sends commands, buttons and modals to this server's /interactions endpoint.",
    vars: ["DISCORD_APPLICATION_ID", "DISCORD_PUBLIC_KEY"],
  },
  {
    key: "signIn",
    name: "Sign in with Discord",
    what: "Members sign in with their Discord account.",
    vars: ["DISCORD_CLIENT_ID", "DISCORD_CLIENT_SECRET"],
  },
  {
    key: "bot",
    name: "Bot",
    what: "The bot acts in your servers: notifications, welcome messages, tickets.",
    vars: ["DISCORD_BOT_TOKEN"],
  },
] as const satisfies readonly { key: keyof Health["discord"]; name: string; what: string; vars: readonly string[] }[];

export function EnvVars(props: { names: readonly string[] }) {
  return (
    <For each={props.names}>
      {(name, i) => (
        <>
          {i() > 0 && (i() === props.names.length - 1 ? " and " : ", ")}
          <code>{name}</code>
        </>
      )}
    </For>
  );
}

export function notConnected(vars: readonly string[]): JSX.Element {
  return (
    <>
      Not connected — set <EnvVars names={vars} /> to enable.
    </>
  );
}

export function StatusRow(props: { state: StatusState; title: string; children: JSX.Element; testId?: string }) {
  return (
    <li class="status-row" data-testid={props.testId} data-state={props.state}>
      <span class={`dot dot-${props.state}`} aria-hidden="true" />
      <div class="grow">
        <div>
          {props.title}
          <span class="sr-only">: {props.state === "ok" ? "working" : props.state === "bad" ? "failing" : "not connected"}</span>
        </div>
        <div class="detail">{props.children}</div>
      </div>
    </li>
  );
}

/** The Worker's cache adapter by what it is: the embedded store or Upstash's Redis. */
const CACHE_NAMES: Record<string, string> = { "durable-object": "Built-in store (Durable Objects)", upstash: "Upstash Redis" };
const cacheName = (adapter: string) => CACHE_NAMES[adapter] ?? adapter;

const latency = (ms: number | null) => (ms === null ? "" : ` · ${Math.round(ms)} ms`);

export function SystemStatus(props: { health: Health }) {
  return (
    <ul class="status-list" data-testid="system-status">
      <StatusRow state={props.health.database.ok ? "ok" : "bad"} title="Database" testId="status-database">
        <Show when={props.health.database.ok} fallback={<>Unreachable{props.health.database.error ? ` — ${props.health.database.error}` : ""}</>}>
          Postgres connected{latency(props.health.database.latencyMs)}
        </Show>
      </StatusRow>
      <StatusRow state={props.health.cache.ok ? "ok" : "bad"} title="Cache" testId="status-cache">
        <Show when={props.health.cache.ok} fallback={<>Unavailable ({cacheName(props.health.cache.adapter)})</>}>
          {cacheName(props.health.cache.adapter)}
          {latency(props.health.cache.latencyMs)}
        </Show>
      </StatusRow>
      <For each={DISCORD_FEATURES}>
        {(f) => (
          <StatusRow state={props.health.discord[f.key] ? "ok" : "off"} title={`Discord: ${f.name}`} testId={`status-discord-${f.key}`}>
            <Show when={props.health.discord[f.key]} fallback={notConnected(f.vars)}>
              Connected
            </Show>
          </StatusRow>
        )}
      </For>
    </ul>
  );
}
