// The Discord section's header: the title, the linked-server picker (keeps the current tab when switching) and
// "Add to server" for those who may add one.
import type { DiscordGuild } from "@nebula/schema/api/discord";
import { createAsync, useLocation, useNavigate } from "@solidjs/router";
import { For, Show } from "solid-js";
import { getDiscordGuilds } from "../../api/discord.ts";
import { useSession } from "../../session/session.tsx";
import { Avatar } from "../../ui/avatar.tsx";
import { InstallButton } from "./install-button.tsx";

function GuildPicker(props: { guilds: DiscordGuild[]; current?: string }) {
  const navigate = useNavigate();
  const location = useLocation();
  const chosen = () => props.guilds.find((g) => g.guildId === props.current);
  function pick(guildId: string) {
    // Stay on the same tab in the other server.
    const tab = props.current ? location.pathname.split("/")[3] ?? "overview" : "overview";
    navigate(`/discord/${encodeURIComponent(guildId)}/${tab}`);
  }
  return (
    <div class="guild-picker">
      <Avatar name={chosen()?.name ?? "?"} url={chosen()?.iconUrl ?? null} size={28} />
      <label class="sr-only" for="discord-guild-picker">
        Discord server
      </label>
      <select id="discord-guild-picker" class="select" data-testid="guild-picker" value={props.current ?? ""} onChange={(e) => pick(e.currentTarget.value)}>
        <Show when={!chosen()}>
          <option value="">Choose a server…</option>
        </Show>
        <For each={props.guilds}>{(g) => <option value={g.guildId}>{g.name}</option>}</For>
      </select>
    </div>
  );
}

export function SectionHeader(props: { tenantId: string; guildId?: string }) {
  const session = useSession();
  const guilds = createAsync(() => getDiscordGuilds(props.tenantId));
  return (
    <div class="page-header">
      <div>
        <h1>Discord</h1>
        <p>Your community's bot: tickets, go-live alerts, welcome messages, custom commands and more.</p>
      </div>
      <div class="form-actions">
        <Show when={(guilds()?.guilds.length ?? 0) > 0}>
          <GuildPicker guilds={guilds()?.guilds ?? []} current={props.guildId} />
        </Show>
        <Show when={session.can("discord.manage") && (guilds()?.guilds.length ?? 0) > 0}>
          <InstallButton tenantId={props.tenantId} />
        </Show>
      </div>
    </div>
  );
}
