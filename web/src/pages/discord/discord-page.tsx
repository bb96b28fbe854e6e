// /discord: what of Discord this server is connected to, and for what is not, exactly what to set.
import { createAsync } from "@solidjs/router";
import { For, Show } from "solid-js";
import { getHealth } from "../../api/client.ts";
import { DISCORD_FEATURES, EnvVars, StatusRow } from "../../health/system-status.tsx";
import { Card } from "../../ui/card.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { DiscordIcon } from "../../ui/icons.tsx";

export default function DiscordPage() {
  const health = createAsync(() => getHealth());
  const origin = window.location.origin;
  const connected = () => DISCORD_FEATURES.filter((f) => health()?.discord[f.key]);
  const missing = () => DISCORD_FEATURES.filter((f) => !health()?.discord[f.key]);

  return (
    <div class="page" data-testid="discord-page">
      <div class="page-header">
        <div>
          <h1>Discord</h1>
          <p>Your community's bot: slash commands, notifications, welcome messages and tickets.</p>
        </div>
      </div>
      <Show when={health()}>
        {(h) => (
          <>
            <Show when={!h().discord.bot}>
              <section class="card">
                <EmptyState icon={<DiscordIcon size={22} />} title="Discord bot not connected" testId="discord-not-connected">
                  This server has no Discord bot token, so the bot is not in any of your servers. Create a Discord application, give
                  this deployment its credentials, and the bot's features light up here.
                </EmptyState>
              </section>
            </Show>
            <Card title="Connections" description={<>{connected().length} of {DISCORD_FEATURES.length} connected</>}>
              <ul class="status-list">
                <For each={DISCORD_FEATURES}>
                  {(f) => (
                    <StatusRow state={h().discord[f.key] ? "ok" : "off"} title={f.name} testId={`discord-${f.key}`}>
                      {f.what}{" "}
                      <Show when={h().discord[f.key]} fallback={<>Not connected — set <EnvVars names={f.vars} /> to enable.</>}>
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
                    Values come from your application in the Discord Developer Portal; set them as Worker secrets (or in your
                    local environment for <code>npm start</code>) and restart.
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
                    <Show when={!h().discord.interactions}>
                      <li>
                        From <em>General Information</em>, set <EnvVars names={["DISCORD_APPLICATION_ID", "DISCORD_PUBLIC_KEY"]} />, and
                        set the <em>Interactions Endpoint URL</em> to <code>{origin}/interactions</code>.
                      </li>
                    </Show>
                    <Show when={!h().discord.bot}>
                      <li>
                        From <em>Bot</em>, reset and copy the token into <code>DISCORD_BOT_TOKEN</code>, then invite the bot to your server.
                      </li>
                    </Show>
                    <Show when={!h().discord.signIn}>
                      <li>
                        From <em>OAuth2</em>, set <EnvVars names={["DISCORD_CLIENT_ID", "DISCORD_CLIENT_SECRET"]} /> and add the redirect{" "}
                        <code>{origin}/auth/discord/callback</code>.
                      </li>
                    </Show>
                  </ol>
                </div>
              </Card>
            </Show>
          </>
        )}
      </Show>
    </div>
  );
}
