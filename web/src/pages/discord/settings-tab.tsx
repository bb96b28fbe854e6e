// Settings (More tools): the linked server (who linked it and when, whether the bot is still there), the bot's
// connections on this deployment, and unlinking (asks first; the bot's settings for the server stop applying).
import { createAsync, useNavigate } from "@solidjs/router";
import { Show } from "solid-js";
import { getAuditPage, getHealth, getMembers } from "../../api/client.ts";
import { getDiscordGuilds, unlinkGuild } from "../../api/discord.ts";
import { useSession } from "../../session/session.tsx";
import { Avatar } from "../../ui/avatar.tsx";
import { Boundary } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { fullTime, TimeAgo } from "../../ui/time.tsx";
import { BotStatus } from "./bot-status.tsx";
import { useGuild } from "./guild-context.tsx";
import { InstallButton } from "./install-button.tsx";
import { SetupStatus } from "./setup-status.tsx";

function Connections() {
  const health = createAsync(() => getHealth());
  return <Show when={health()}>{(h) => <SetupStatus health={h()} />}</Show>;
}

export default function SettingsTab() {
  const scope = useGuild();
  const session = useSession();
  const navigate = useNavigate();
  const unlink = createConfirmAction(
    async (guildId: string) => {
      await unlinkGuild(scope.tenantId, guildId);
      navigate("/discord", { replace: true });
    },
    () => [getDiscordGuilds.keyFor(scope.tenantId), getAuditPage.key],
  );
  const g = () => scope.guild();
  // `installedBy` is a user id: shown as the member's name (or "you"), never as the raw id.
  const members = createAsync(() => getMembers(scope.tenantId).catch(() => undefined));
  const linkedBy = () => {
    const id = g().installedBy;
    if (!id) return undefined;
    if (id === session.me().user.id) return "you";
    return members()?.items.find((m) => m.userId === id)?.name;
  };

  return (
    <div class="stack" data-testid="discord-settings">
      <Card title="Linked server" testId="linked-guild" description="This Discord server belongs to the active tenant; its settings live here.">
        <div class="card-body stack">
          <div class="guild-hero">
            <Avatar name={g().name} url={g().iconUrl} size={44} />
            <div class="grow">
              <strong>{g().name}</strong>
              <div class="muted">
                Linked <span title={fullTime(g().installedAt)}><TimeAgo iso={g().installedAt} /></span>
                <Show when={linkedBy()}>{(by) => <> by {by()}</>}</Show> · Server ID <code>{g().guildId}</code>
              </div>
            </div>
            <BotStatus present={g().botPresent} />
          </div>
          <Show when={g().botPresent === false && session.can("discord.manage")}>
            <div class="notice notice-warning">
              The bot is no longer in this server, so nothing is posted there. Add it again to resume.
              <InstallButton tenantId={scope.tenantId} label="Add the bot again" />
            </div>
          </Show>
          <Show when={session.can("discord.manage")}>
            <div class="form-actions">
              <button type="button" class="btn btn-ghost-danger btn-sm" data-testid="unlink-guild" onClick={() => unlink.ask(g().guildId)}>
                Unlink server
              </button>
            </div>
          </Show>
        </div>
      </Card>
      <Boundary>
        <Connections />
      </Boundary>
      <ConfirmActionDialog
        action={unlink}
        title="Unlink this server?"
        message={() => (
          <>
            <strong>{g().name}</strong> is removed from this tenant: go-live alerts, tickets, welcome messages and commands stop for it. The bot
            stays in the server until you kick it there. You can link it again with Add to server.
          </>
        )}
        confirmLabel="Unlink server"
      />
    </div>
  );
}
