// What of Discord this deployment is connected to, and for what is not, exactly what to set.
import type { Health } from "@nebula/schema/api/core";
import { For, Show } from "solid-js";
import { DISCORD_FEATURES, EnvVars, StatusRow } from "../../health/system-status.tsx";
import { Card } from "../../ui/card.tsx";

export function SetupStatus(props: { health: Health }) {
  const origin = window.location.origin;
  const on = (key: (typeof DISCORD_FEATURES)[number]["key"]) => props.health.discord[key];
  const connected = () => DISCORD_FEATURES.filter((f) => on(f.key));
  const missing = () => DISCORD_FEATURES.filter((f) => !on(f.key));
  return (
    <>
      <Card title="Connections" testId="discord-connections" description={<>{connected().length} of {DISCORD_FEATURES.length} connected</>}>
        <ul class="status-list">
          <For each={DISCORD_FEATURES}>
            {(f) => (
              <StatusRow state={on(f.key) ? "ok" : "off"} title={f.name} testId={`discord-${f.key}`}>
                {f.what}{" "}
                <Show when={on(f.key)} fallback={<>Not connected — set <EnvVars names={f.vars} /> to enable.</>}>
                  Connected.
                </Show>
              </StatusRow>
            )}
          </For>
        </ul>
      </Card>
      <Show when={missing().length > 0}>
        <Card
          title="Set up"
          description={
            <>
              Values come from your application in the Discord Developer Portal; set them as Worker secrets (or in your local
              environment for <code>npm start</code>) and restart.
            </>
          }
        >
          <div class="card-body">
            <ol class="steps">
              <li>
                Create an application at{" "}
                <a href="https://discord.com/developers/applications" target="_blank" rel="noreferrer">
                  discord.com/developers/applications
                </a>
                .
              </li>
              <Show when={!on("interactions")}>
                <li>
                  From <em>General Information</em>, set <EnvVars names={["DISCORD_APPLICATION_ID", "DISCORD_PUBLIC_KEY"]} />, and set the{" "}
                  <em>Interactions Endpoint URL</em> to <code>{origin}/interactions</code>.
                </li>
              </Show>
              <Show when={!on("bot")}>
                <li>
                  From <em>Bot</em>, reset and copy the token into <code>DISCORD_BOT_TOKEN</code>.
                </li>
              </Show>
              <Show when={!on("signIn")}>
                <li>
                  From <em>OAuth2</em>, set <EnvVars names={["DISCORD_CLIENT_ID", "DISCORD_CLIENT_SECRET"]} /> and add the redirects{" "}
                  <code>{origin}/auth/discord/callback</code> and <code>{origin}/auth/discord/install/callback</code>.
                </li>
              </Show>
            </ol>
          </div>
        </Card>
      </Show>
    </>
  );
}
