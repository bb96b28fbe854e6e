// Add or edit a tracked streamer: platform and account (fixed once added), the channel and role to ping, the message
// template with its variables and a live preview, the embed, whether the template may ping @everyone, and whether
// alerts are on.
import type { GoLivePlatformStatus, TrackedStreamer } from "../../api/discord-streams.ts";
import { createSignal, For, Show } from "solid-js";
import { addTrackedStreamer, getTrackedStreamers, updateTrackedStreamer } from "../../api/discord-streams.ts";
import { createMutation } from "../../api/mutation.ts";
import { getAuditPage } from "../../api/client.ts";
import { InlineError } from "../../ui/boundary.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { useGuild } from "./guild-context.tsx";
import { DiscordMessagePreview, TemplateVariables } from "./message-preview.tsx";
import { ChannelField, type GuildPickers, PickersNote, RoleField, roleLabel } from "./pickers.tsx";

export type Platform = "twitch" | "youtube" | "kick";
export const PLATFORMS: { id: Platform; name: string; account: string; color: string }[] = [
  { id: "twitch", name: "Twitch", account: "Twitch login, e.g. nebula_tv", color: "#9146ff" },
  { id: "youtube", name: "YouTube", account: "@handle or channel ID (UC…)", color: "#ff0000" },
  { id: "kick", name: "Kick", account: "Kick channel slug", color: "#53fc18" },
];
export const platformName = (p: string) => PLATFORMS.find((x) => x.id === p)?.name ?? p;

/** The go-live template's variables (workers/src/go-live/go-live-message.ts renders the same ones). */
const VARIABLES = [
  { name: "streamer", what: "The streamer's display name" },
  { name: "title", what: "The stream title" },
  { name: "game", what: "The game or category" },
  { name: "url", what: "Link to the stream" },
  { name: "platform", what: "Twitch, YouTube or Kick" },
  { name: "viewers", what: "Viewers when the alert is sent" },
  { name: "everyone", what: "@everyone, when pinging everyone is allowed" },
] as const;
const DEFAULT_TEMPLATE = "{streamer} is live on {platform}: {title}\n{url}";

function sample(platform: Platform, account: string): Record<string, string> {
  const login = account.trim().replace(/^@/, "") || "nebula_tv";
  const url = platform === "twitch" ? `https://www.twitch.tv/${login}` : platform === "kick" ? `https://kick.com/${login}` : `https://www.youtube.com/@${login}`;
  return { streamer: login, title: "Building a homelab dashboard", game: "Science & Technology", url, platform: platformName(platform), viewers: "42" };
}

export function StreamerDialog(props: { streamer?: TrackedStreamer; status: GoLivePlatformStatus | undefined; pickers: GuildPickers; onClose: () => void }) {
  const scope = useGuild();
  const s = props.streamer;
  const [platform, setPlatform] = createSignal<Platform>((s?.platform as Platform) ?? "twitch");
  const [account, setAccount] = createSignal(s?.login ?? "");
  const [platformUserId, setPlatformUserId] = createSignal("");
  const [channelId, setChannelId] = createSignal(s?.channelId ?? "");
  const [pingRoleId, setPingRoleId] = createSignal(s?.pingRoleId ?? "");
  const [template, setTemplate] = createSignal(s?.template ?? DEFAULT_TEMPLATE);
  const [embed, setEmbed] = createSignal(s?.embed ?? true);
  const [allowEveryone, setAllowEveryone] = createSignal(s?.allowEveryone ?? false);
  const [enabled, setEnabled] = createSignal(s?.enabled ?? true);
  let templateEl!: HTMLTextAreaElement;

  const connected = () => props.status?.platforms[platform()].connected ?? true;
  const touched = () => [getTrackedStreamers.keyFor(scope.tenantId, scope.guildId), getAuditPage.key];
  const save = createMutation(async () => {
    const common = { channelId: channelId(), pingRoleId: pingRoleId() || null, template: template(), embed: embed(), allowEveryone: allowEveryone(), enabled: enabled() };
    if (s) return updateTrackedStreamer(scope.tenantId, s.id, common);
    return addTrackedStreamer(scope.tenantId, {
      platform: platform(),
      account: account().trim(),
      ...(platformUserId().trim() ? { platformUserId: platformUserId().trim() } : {}),
      guildId: scope.guildId,
      ...common,
    });
  }, touched);

  function insert(token: string) {
    const start = templateEl.selectionStart ?? template().length;
    const end = templateEl.selectionEnd ?? start;
    setTemplate(template().slice(0, start) + token + template().slice(end));
    templateEl.focus();
    templateEl.setSelectionRange(start + token.length, start + token.length);
  }

  const rendered = () => {
    const values: Record<string, string> = { ...sample(platform(), account()), everyone: allowEveryone() ? "@everyone" : "" };
    const text = template().replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
    return pingRoleId() ? `<@&${pingRoleId()}> ${text}` : text;
  };

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    if (await save.run()) props.onClose();
  }

  return (
    <Dialog open title={s ? `Edit ${s.displayName}` : "Track a streamer"} onClose={() => props.onClose()} testId="streamer-dialog">
      <form class="stack dialog-wide" onSubmit={submit} data-testid="streamer-form">
        <div class="form-row">
          <label class="field">
            <span>Platform</span>
            <select class="select" name="platform" disabled={Boolean(s)} value={platform()} onChange={(e) => setPlatform(e.currentTarget.value as Platform)} data-testid="streamer-platform">
              <For each={PLATFORMS}>{(p) => <option value={p.id}>{p.name}</option>}</For>
            </select>
          </label>
          <label class="field grow">
            <span>Account</span>
            <input
              class="input"
              name="account"
              required
              maxLength={100}
              disabled={Boolean(s)}
              placeholder={PLATFORMS.find((p) => p.id === platform())?.account}
              value={account()}
              onInput={(e) => setAccount(e.currentTarget.value)}
              data-testid="streamer-account"
            />
          </label>
        </div>
        <Show when={!s && !connected()}>
          <label class="field">
            <span>{platformName(platform())} user ID</span>
            <input
              class="input mono"
              name="platform-user-id"
              required
              maxLength={64}
              pattern="[\w\-]+"
              value={platformUserId()}
              onInput={(e) => setPlatformUserId(e.currentTarget.value)}
              data-testid="streamer-platform-id"
            />
            <span class="field-hint">{platformName(platform())} is not connected on this deployment, so the account can't be looked up: give its ID too.</span>
          </label>
        </Show>
        <div class="form-row">
          <ChannelField pickers={props.pickers} name="channel" label="Post in" value={channelId()} onChange={setChannelId} testId="streamer-channel" />
          <RoleField pickers={props.pickers} name="ping-role" label="Role to ping" none="No ping" value={pingRoleId()} onChange={setPingRoleId} testId="streamer-role" />
        </div>
        <PickersNote pickers={props.pickers} />
        <label class="field">
          <span>Message</span>
          <textarea
            ref={templateEl}
            class="input"
            name="template"
            required
            maxLength={1500}
            value={template()}
            onInput={(e) => setTemplate(e.currentTarget.value)}
            data-testid="streamer-template"
          />
        </label>
        <TemplateVariables variables={VARIABLES} onInsert={insert} />
        <div class="chips">
          <label>
            <input type="checkbox" checked={embed()} onChange={(e) => setEmbed(e.currentTarget.checked)} data-testid="streamer-embed" /> Embed with title,
            game and thumbnail
          </label>
          <label>
            <input type="checkbox" checked={allowEveryone()} onChange={(e) => setAllowEveryone(e.currentTarget.checked)} data-testid="streamer-allow-everyone" /> Allow
            @everyone and @here to ping
          </label>
          <label>
            <input type="checkbox" checked={enabled()} onChange={(e) => setEnabled(e.currentTarget.checked)} /> Alerts on
          </label>
        </div>
        <Show when={!allowEveryone() && /@everyone|@here|\{everyone\}/.test(template())}>
          <span class="field-hint" data-testid="streamer-everyone-hint">
            @everyone and @here in this message are shown as text and ping nobody until "Allow @everyone and @here to ping" is on.
          </span>
        </Show>
        <div class="field">
          <span class="field-label">Preview</span>
          <DiscordMessagePreview
            testId="streamer-preview"
            content={rendered()}
            names={(kind, id) => (kind === "role" ? roleLabel(props.pickers, id).replace(/^@/, "") : id)}
            embed={
              embed()
                ? {
                    title: sample(platform(), account()).title,
                    description: `Playing ${sample(platform(), account()).game}`,
                    color: PLATFORMS.find((p) => p.id === platform())?.color,
                    footer: `${platformName(platform())} · 42 viewers`,
                  }
                : null
            }
          />
          <span class="field-hint">When the stream ends the message is edited with its duration and the VOD link.</span>
        </div>
        <Show when={save.error()}>{(err) => <InlineError error={err()} />}</Show>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={() => props.onClose()} disabled={save.pending()}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={save.pending()} data-testid="streamer-save">
            {save.pending() ? "Saving…" : s ? "Save" : "Track streamer"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
