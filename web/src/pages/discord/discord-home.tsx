// /discord: where the install callback returns (?linked=<guild> or ?error=install_…). With linked servers it opens
// one; without, it says why: Discord not configured on this deployment, or no server linked yet.
import { createAsync, Navigate, useSearchParams } from "@solidjs/router";
import { Match, Show, Switch } from "solid-js";
import { getHealth } from "../../api/client.ts";
import { getDiscordGuilds } from "../../api/discord.ts";
import { useSession } from "../../session/session.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { DiscordIcon } from "../../ui/icons.tsx";
import { InstallButton } from "./install-button.tsx";
import { InstallNotice } from "./install-notice.tsx";
import { SectionHeader } from "./section-header.tsx";
import { SetupStatus } from "./setup-status.tsx";

export default function DiscordHome() {
  const session = useSession();
  const tenantId = () => session.tenant()?.id ?? "";
  const [params] = useSearchParams<{ linked?: string; error?: string }>();
  const health = createAsync(() => getHealth());
  const guilds = createAsync(() => getDiscordGuilds(tenantId()));
  const configured = () => Boolean(health()?.discord.bot && health()?.discord.signIn);
  // The install callback's ?linked=<id> opens that server; otherwise the first one.
  const target = () => {
    const list = guilds()?.guilds ?? [];
    if (params.error) return undefined;
    return list.find((g) => g.guildId === params.linked) ?? list[0];
  };

  return (
    <>
      <SectionHeader tenantId={tenantId()} />
      <Show when={params.error}>{(code) => <InstallNotice error={code()} />}</Show>
      <Show when={health() && guilds()}>
        <Switch>
          <Match when={target()}>{(g) => <Navigate href={`/discord/${encodeURIComponent(g().guildId)}/overview${params.linked ? "?linked=1" : ""}`} />}</Match>
          <Match when={(guilds()?.guilds.length ?? 0) > 0}>
            <div class="card">
              <EmptyState icon={<DiscordIcon size={22} />} title="Pick a server" testId="discord-pick">
                Choose one of your linked servers above.
              </EmptyState>
            </div>
          </Match>
          <Match when={!configured()}>
            <section class="card">
              <EmptyState icon={<DiscordIcon size={22} />} title="Discord bot not connected" testId="discord-not-connected">
                This deployment has no Discord bot yet, so it can't join your servers. Create a Discord application and give this
                deployment its credentials (below); then add the bot to a server here.
              </EmptyState>
            </section>
            <SetupStatus health={health()!} />
          </Match>
          <Match when={true}>
            <section class="card">
              <EmptyState
                icon={<DiscordIcon size={22} />}
                title="No server linked yet"
                testId="discord-no-guild"
                action={<Show when={session.can("discord.manage")} fallback={<span class="muted">An admin of this tenant can add it.</span>}><InstallButton tenantId={tenantId()} primary label="Add to a server" /></Show>}
              >
                Add the bot to a Discord server you manage. Its tickets, go-live alerts, welcome messages, commands and more are
                configured here.
              </EmptyState>
            </section>
            <SetupStatus health={health()!} />
          </Match>
        </Switch>
      </Show>
    </>
  );
}
