// The chat bot page's Channels tab: where the bot sits (platform, channel), which account it speaks as (one of the
// tenant's connections of that platform, or the app's token) and whether it moderates there; add, edit, remove. A
// connection that has not granted the chat bot's scopes is flagged, with the way to the Connections page to grant them.
import type { ConnectionPlatform, TenantConnectionList } from "@nebula/schema/api/connections";
import { A, createAsync } from "@solidjs/router";
import { createSignal, For, Show } from "solid-js";
import { createMutation } from "../../api/mutation.ts";
import { type ChatChannelView, createChatChannel, deleteChatChannel, getChatBot, updateChatChannel } from "../../api/streams-chat-bot.ts";
import { getTenantConnections } from "../../api/streams-connections.ts";
import { useSession } from "../../session/session.tsx";
import { Badge } from "../../ui/badge.tsx";
import { InlineError } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { ConfirmActionButton, ConfirmActionDialog, createConfirmAction } from "../../ui/confirm-action.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ListIcon } from "../../ui/icons.tsx";
import { ListTable } from "../../ui/table.tsx";

type ChatPlatform = ChatChannelView["platform"];
const PLATFORMS: [ChatPlatform, string][] = [
  ["twitch", "Twitch"],
  ["youtube", "YouTube"],
  ["kick", "Kick"],
];
const platformName = (p: ChatPlatform) => PLATFORMS.find(([id]) => id === p)?.[1] ?? p;
/** The select's value for "no connection": the bot speaks with the app's token. */
const APP_TOKEN = "";

type Connection = TenantConnectionList["items"][number];
type Draft = { platform: ChatPlatform; channelLogin: string; channelId: string; connectionId: string; botUserId: string; botIsModerator: boolean };
const blank = (): Draft => ({ platform: "twitch", channelLogin: "", channelId: "", connectionId: APP_TOKEN, botUserId: "", botIsModerator: false });

export function ChannelsTab(props: { tenantId: string }) {
  const session = useSession();
  const manage = () => session.can("chatbot.manage");
  const bot = createAsync(() => getChatBot(props.tenantId));
  // The accounts to choose from: every member's connections (admins only, as is managing the bot).
  const connections = createAsync(async () => (manage() ? (await getTenantConnections(props.tenantId)).items : []));
  const touched = () => [getChatBot.keyFor(props.tenantId)];
  const [draft, setDraft] = createSignal<Draft>(blank());
  const [editing, setEditing] = createSignal<ChatChannelView>();
  const set = (patch: Partial<Draft>) => setDraft({ ...draft(), ...patch });
  const create = createMutation((d: Draft) => createChatChannel(props.tenantId, requestOf(d)), touched);
  const remove = createConfirmAction((c: ChatChannelView) => deleteChatChannel(props.tenantId, c.id), touched);

  return (
    <div class="stack">
      <Show when={manage()}>
        <Card title="Add a channel" description="The bot answers commands and moderates in this channel, speaking as the account you choose.">
          <form
            class="card-body stack"
            onSubmit={async (e) => {
              e.preventDefault();
              if (await create.run(draft())) setDraft(blank());
            }}
            data-testid="channel-form"
          >
            <div class="form-row">
              <label class="field">
                <span>Platform</span>
                <select class="select" value={draft().platform} onChange={(e) => set({ platform: e.currentTarget.value as ChatPlatform, connectionId: APP_TOKEN })} data-testid="channel-platform">
                  <For each={PLATFORMS}>{([p, label]) => <option value={p}>{label}</option>}</For>
                </select>
              </label>
              <label class="field">
                <span>Channel name</span>
                <input class="input" required maxLength={64} value={draft().channelLogin} placeholder="nebula_caster" onInput={(e) => set({ channelLogin: e.currentTarget.value })} data-testid="channel-login" />
              </label>
              <label class="field">
                <span>Channel id</span>
                <input class="input" required maxLength={64} value={draft().channelId} placeholder={draft().platform === "youtube" ? "UC…" : "123456789"} onInput={(e) => set({ channelId: e.currentTarget.value })} data-testid="channel-id" />
              </label>
            </div>
            <BotAccountFields
              platform={draft().platform}
              connections={connections()}
              connectionId={draft().connectionId}
              botUserId={draft().botUserId}
              botIsModerator={draft().botIsModerator}
              onChange={set}
              testId="channel"
            />
            <div class="form-actions">
              <button class="btn btn-primary" type="submit" disabled={create.pending() || !draft().channelLogin.trim() || !draft().channelId.trim()} data-testid="channel-save">
                {create.pending() ? "Adding…" : "Add channel"}
              </button>
            </div>
            <Show when={create.error()}>{(err) => <InlineError error={err()} />}</Show>
          </form>
        </Card>
      </Show>
      <Show when={editing()} keyed>
        {(channel) => <EditChannel tenantId={props.tenantId} channel={channel} connections={connections()} onDone={() => setEditing(undefined)} />}
      </Show>
      <Card title="Channels" description="Where the bot sits. Without a connection it speaks with the app's token as the bot user id.">
        <ListTable
          items={bot()?.channels}
          empty={
            <EmptyState icon={<ListIcon size={20} />} title="No channels yet" testId="channels-empty">
              {manage() ? "Add the channel the bot should join above." : "An admin adds channels here."}
            </EmptyState>
          }
          columns={["Platform", "Channel", "Bot account", "Moderator", "On"]}
          actions={manage()}
          testId="channel-list"
        >
          {(c) => (
            <tr data-testid="channel-row" data-channel={c.channelLogin}>
              <td class="nowrap">{platformName(c.platform)}</td>
              <td>
                <strong>{c.channelLogin}</strong>
                <div class="faint">{c.channelId}</div>
                {/* Twitch delivers the chat only through the channel's channel.chat.message subscription: a refusal means the bot hears nothing. */}
                <Show when={c.chatSubscription?.subscribed === false ? c.chatSubscription.reason : null}>
                  {(reason) => (
                    <div class="field-hint" data-testid="channel-row-chat-subscription">
                      ⚠ The bot does not hear this chat: {reason()}. Save the channel to try again.
                    </div>
                  )}
                </Show>
              </td>
              <td data-testid="channel-row-account">
                <Show
                  when={c.botAccount}
                  fallback={
                    <>
                      <span>app token</span>
                      {/* Left on the app token when its account was disconnected: Kick chat needs a user token. */}
                      <Show when={c.platform === "kick"}>
                        <div class="field-hint">⚠ Kick chat needs a connected account: the bot cannot speak until one is chosen</div>
                      </Show>
                    </>
                  }
                >
                  {(a) => (
                    <>
                      <span>{a().displayName}</span> <span class="faint">({a().login})</span>
                      <Show when={!a().chatScopes}>
                        <div class="field-hint">⚠ Lacks the chat bot's scopes</div>
                      </Show>
                    </>
                  )}
                </Show>
              </td>
              <td class="nowrap" data-testid="channel-row-moderator">
                {c.botIsModerator ? <Badge tone="success">yes</Badge> : "no"}
              </td>
              <td class="nowrap">{c.enabled ? "on" : "off"}</td>
              <Show when={manage()}>
                <td class="actions">
                  <button type="button" class="btn btn-sm" onClick={() => setEditing(c)} aria-label={`Edit ${c.channelLogin}`} data-testid="channel-edit">
                    Edit
                  </button>
                  <ConfirmActionButton action={remove} row={c} label="Remove" ariaLabel={`Remove ${c.channelLogin}`} />
                </td>
              </Show>
            </tr>
          )}
        </ListTable>
      </Card>
      <ConfirmActionDialog
        action={remove}
        title="Remove channel?"
        message={(c) => (
          <>
            The bot leaves <strong>{c.channelLogin}</strong> on {platformName(c.platform)} at once: no commands, timers or moderation there.
          </>
        )}
        confirmLabel="Remove channel"
      />
    </div>
  );
}

function requestOf(d: Draft) {
  const connectionId = d.connectionId === APP_TOKEN ? null : d.connectionId;
  return {
    platform: d.platform,
    channelLogin: d.channelLogin.trim(),
    channelId: d.channelId.trim(),
    connectionId,
    ...(connectionId ? {} : { botUserId: d.botUserId.trim() }),
    botIsModerator: d.botIsModerator,
  };
}

/** The bot account choice: a connection of the platform (flagged when it lacks the chat scopes) or the app's token. */
function BotAccountFields(props: {
  platform: ChatPlatform;
  connections: Connection[] | undefined;
  connectionId: string;
  botUserId: string;
  botIsModerator: boolean;
  onChange: (patch: { connectionId?: string; botUserId?: string; botIsModerator?: boolean }) => void;
  testId: string;
}) {
  const choices = () => (props.connections ?? []).filter((c) => c.platform === (props.platform as ConnectionPlatform));
  const chosen = () => choices().find((c) => c.id === props.connectionId);
  return (
    <div class="stack">
      <div class="form-row">
        <label class="field">
          <span>Bot account</span>
          <select class="select" value={props.connectionId} onChange={(e) => props.onChange({ connectionId: e.currentTarget.value })} data-testid={`${props.testId}-bot-account`}>
            <option value={APP_TOKEN}>App token</option>
            <For each={choices()}>
              {(c) => (
                <option value={c.id}>
                  {c.displayName} ({c.login}) · {c.userName}
                </option>
              )}
            </For>
          </select>
        </label>
        <Show when={props.connectionId === APP_TOKEN}>
          <label class="field">
            <span>Bot user id</span>
            <input class="input" required maxLength={64} value={props.botUserId} onInput={(e) => props.onChange({ botUserId: e.currentTarget.value })} data-testid={`${props.testId}-bot-user-id`} />
          </label>
        </Show>
        <label class="check-label">
          <input type="checkbox" checked={props.botIsModerator} onChange={(e) => props.onChange({ botIsModerator: e.currentTarget.checked })} data-testid={`${props.testId}-moderator`} /> The bot is a moderator there
        </label>
      </div>
      <Show when={chosen() && !chosen()?.features.chatbot}>
        <p class="field-hint" data-testid={`${props.testId}-scope-hint`}>
          ⚠ {chosen()?.displayName} has not granted the chat bot's scopes, so it cannot speak or moderate yet. Its owner enables them under{" "}
          <A href="/streams" data-testid={`${props.testId}-connect-link`}>
            Connections
          </A>{" "}
          (Enable chat bot).
        </p>
      </Show>
      <Show when={choices().length === 0}>
        <p class="field-hint" data-testid={`${props.testId}-no-accounts`}>
          No {platformName(props.platform)} account is connected in this tenant. <A href="/streams">Connect one</A> to have the bot speak as it.
        </p>
      </Show>
      <Show when={props.platform === "kick" && props.connectionId === APP_TOKEN}>
        <p class="field-hint" data-testid={`${props.testId}-kick-needs-account`}>
          Kick chat is sent with a connected account's token (chat:write): choose the bot account above.
        </p>
      </Show>
      <Show when={props.platform === "youtube" && props.connectionId === APP_TOKEN}>
        <p class="field-hint">YouTube chat is written with a channel's own token: without a connection the bot uses the channel owner's, once connected.</p>
      </Show>
    </div>
  );
}

function EditChannel(props: { tenantId: string; channel: ChatChannelView; connections: Connection[] | undefined; onDone: () => void }) {
  const initial = () => ({ connectionId: props.channel.botAccount?.connectionId ?? APP_TOKEN, botUserId: props.channel.botUserId, botIsModerator: props.channel.botIsModerator, enabled: props.channel.enabled });
  const [draft, setDraft] = createSignal(initial());
  const save = createMutation(
    () => {
      const d = draft();
      const connectionId = d.connectionId === APP_TOKEN ? null : d.connectionId;
      return updateChatChannel(props.tenantId, props.channel.id, { connectionId, ...(connectionId ? {} : { botUserId: d.botUserId.trim() }), botIsModerator: d.botIsModerator, enabled: d.enabled });
    },
    () => [getChatBot.keyFor(props.tenantId)],
  );
  return (
    <Card title={`Edit ${props.channel.channelLogin}`} description={`${platformName(props.channel.platform)} · ${props.channel.channelId}`}>
      <form
        class="card-body stack"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await save.run()) props.onDone();
        }}
        data-testid="channel-edit-form"
      >
        <BotAccountFields
          platform={props.channel.platform}
          connections={props.connections}
          connectionId={draft().connectionId}
          botUserId={draft().botUserId}
          botIsModerator={draft().botIsModerator}
          onChange={(patch) => setDraft({ ...draft(), ...patch })}
          testId="channel-edit"
        />
        <label class="check-label">
          <input type="checkbox" checked={draft().enabled} onChange={(e) => setDraft({ ...draft(), enabled: e.currentTarget.checked })} data-testid="channel-edit-enabled" /> The bot is on in this channel
        </label>
        <div class="form-actions">
          <button class="btn btn-primary" type="submit" disabled={save.pending()} data-testid="channel-edit-save">
            {save.pending() ? "Saving…" : "Save"}
          </button>
          <button class="btn btn-ghost" type="button" onClick={() => props.onDone()}>
            Cancel
          </button>
        </div>
        <Show when={save.error()}>{(err) => <InlineError error={err()} />}</Show>
      </form>
    </Card>
  );
}
