// Overview: the linked server (name, icon, whether the bot is still in it, who may manage it) and what the bot does
// there, counted from each feature's own list, each count linking to its tab.
import { A, createAsync } from "@solidjs/router";
import { type JSX, Show } from "solid-js";
import { getGuildOverview } from "../../api/discord.ts";
import { getGithubFeeds } from "../../api/discord-github.ts";
import { getTrackedStreamers } from "../../api/discord-streams.ts";
import { Avatar } from "../../ui/avatar.tsx";
import { Boundary } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { fullTime, TimeAgo } from "../../ui/time.tsx";
import { GuildBoundary } from "./guild-access.tsx";
import { useGuild } from "./guild-context.tsx";
import { BotStatus } from "./bot-status.tsx";

const ACCESS: Record<string, string> = { owner: "the server's owner", administrator: "an Administrator", manage_guild: "a Manage Server holder" };

function Stat(props: { label: string; value: JSX.Element; href?: string; testId: string }) {
  return (
    <Show
      when={props.href}
      fallback={
        <div class="stat" data-testid={props.testId}>
          <span class="stat-value">{props.value}</span>
          <span class="stat-label">{props.label}</span>
        </div>
      }
    >
      {(href) => (
        <A class="stat" href={href()} data-testid={props.testId}>
          <span class="stat-value">{props.value}</span>
          <span class="stat-label">{props.label}</span>
        </A>
      )}
    </Show>
  );
}

function FeatureCounts() {
  const scope = useGuild();
  const streamers = createAsync(() => getTrackedStreamers(scope.tenantId, scope.guildId));
  const feeds = createAsync(() => getGithubFeeds(scope.tenantId));
  return (
    <Card title="What the bot does here" testId="discord-overview-counts">
      <div class="card-body stat-grid">
        <Stat label="Tracked streamers" value={streamers()?.items.length ?? "—"} href={`${scope.base}/streams`} testId="count-streamers" />
        <Stat
          label="Live alerts on"
          value={streamers()?.items.filter((s) => s.enabled).length ?? "—"}
          href={`${scope.base}/streams`}
          testId="count-streamers-enabled"
        />
        <Stat label="GitHub feeds (all servers)" value={feeds()?.items.length ?? "—"} href={`${scope.base}/github`} testId="count-github" />
      </div>
    </Card>
  );
}

function ServerAccess() {
  const scope = useGuild();
  const overview = createAsync(() => getGuildOverview(scope.tenantId, scope.guildId));
  return (
    <Show when={overview()}>
      {(o) => (
        <Card title="Channels and roles" testId="discord-overview-access" description={<>You manage this server as {ACCESS[o().access] ?? o().access}.</>}>
          <div class="card-body stat-grid">
            <Stat label="Text channels" value={o().channels.filter((c) => c.type === 0 || c.type === 5).length} testId="count-channels" />
            <Stat label="Categories" value={o().channels.filter((c) => c.type === 4).length} testId="count-categories" />
            <Stat label="Roles" value={o().roles.length} testId="count-roles" />
          </div>
        </Card>
      )}
    </Show>
  );
}

export default function OverviewTab() {
  const scope = useGuild();
  return (
    <div class="stack" data-testid="discord-overview">
      <section class="card">
        <div class="card-body guild-hero">
          <Avatar name={scope.guild().name} url={scope.guild().iconUrl} size={56} />
          <div class="grow">
            <h2 data-testid="guild-name">{scope.guild().name}</h2>
            <p class="muted">
              Linked <span title={fullTime(scope.guild().installedAt)}><TimeAgo iso={scope.guild().installedAt} /></span> · Server ID{" "}
              <code>{scope.guild().guildId}</code>
            </p>
          </div>
          <BotStatus present={scope.guild().botPresent} />
        </div>
      </section>
      <Boundary>
        <FeatureCounts />
      </Boundary>
      <GuildBoundary>
        <ServerAccess />
      </GuildBoundary>
    </div>
  );
}

