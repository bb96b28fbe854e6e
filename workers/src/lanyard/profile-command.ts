// /profile [user]: a member's Discord presence and what they play on Spotify, through Lanyard. A presence Lanyard
// gave us in the last 15 s answers at once; otherwise the reply is deferred and the queue consumer asks Lanyard
// (Discord waits only 3 s, and Lanyard is a third party).
import { discordWire } from "@nebula/schema";
import type { api } from "@nebula/schema";
import { AppError } from "../errors/app-error.ts";
import type { CommandContext } from "../interactions/context.ts";
import { InteractionError } from "../interactions/guards.ts";
import { defineCommand, defineInteractionModule } from "../interactions/registry.ts";
import type { MessageReply } from "../interactions/replies.ts";
import { cachedPresence, fetchPresence } from "./lanyard.ts";

const { ApplicationCommandOptionType: O } = discordWire;

const STATUS_LABEL: Record<NonNullable<api.Presence["status"]>, string> = { online: "🟢 Online", idle: "🌙 Idle", dnd: "⛔ Do not disturb", offline: "⚫ Offline" };
const ACTIVITY_VERB: Record<number, string> = { 0: "Playing", 1: "Streaming", 2: "Listening to", 3: "Watching", 5: "Competing in" };
/** Where a user joins so Lanyard can see their presence. */
export const LANYARD_INVITE = "https://discord.gg/lanyard";

function target(ctx: CommandContext): { id: string; name: string } {
  const id = ctx.options.id("user") ?? ctx.user.id;
  const user = id === ctx.user.id ? ctx.user : ctx.data.resolved?.users?.[id];
  return { id, name: user?.global_name || user?.username || "That member" };
}

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export function profileReply(name: string, presence: api.Presence): MessageReply {
  if (!presence.monitored) {
    return {
      content: `**${name}** is not in Lanyard's Discord server, so their presence cannot be shown. Joining ${LANYARD_INVITE} turns it on.`,
    };
  }
  const fields: { name: string; value: string; inline?: boolean }[] = [{ name: "Status", value: presence.status ? STATUS_LABEL[presence.status] : "Unknown", inline: true }];
  const activities = presence.activities
    .filter((a) => a.type !== 4)
    .map((a) => cut(`${ACTIVITY_VERB[a.type] ?? "Doing"} **${a.name}**${a.details ? ` — ${a.details}` : ""}${a.state ? ` (${a.state})` : ""}`, 300));
  const custom = presence.activities.find((a) => a.type === 4 && a.state);
  if (custom?.state) fields.push({ name: "Custom status", value: cut(custom.state, 1024), inline: true });
  if (activities.length > 0) fields.push({ name: "Activity", value: cut(activities.join("\n"), 1024) });
  const s = presence.spotify;
  if (s) fields.push({ name: "Listening on Spotify", value: cut(`**${s.song}**\nby ${s.artist}\non ${s.album}`, 1024) });
  return {
    embeds: [
      {
        title: cut(`${name}`, 256),
        color: s ? 0x1db954 : 0x5865f2,
        fields,
        ...(s?.albumArtUrl && /^https:\/\//.test(s.albumArtUrl) ? { thumbnail: { url: s.albumArtUrl } } : {}),
        ...(s?.trackId ? { url: `https://open.spotify.com/track/${encodeURIComponent(s.trackId)}` } : {}),
        footer: { text: "Presence via Lanyard" },
      },
    ],
  };
}

export const profileCommand = defineCommand({
  name: "profile",
  description: "A member's presence and what they are listening to on Spotify",
  scope: "global",
  options: [{ type: O.USER, name: "user", description: "Whose profile (you, if left out)" }],
  async respond(ctx) {
    const who = target(ctx);
    const hit = await cachedPresence(ctx.services.cache, who.id);
    return hit ? ctx.reply(profileReply(who.name, hit)) : ctx.defer();
  },
  async run(ctx) {
    const who = target(ctx);
    try {
      return profileReply(who.name, await fetchPresence({ config: ctx.services.config, cache: ctx.services.cache }, who.id));
    } catch (err) {
      if (err instanceof AppError && err.code === "UPSTREAM") throw new InteractionError("Lanyard is not answering right now; try again in a minute.");
      throw err;
    }
  },
});

export const profileModule = defineInteractionModule({ name: "lanyard", commands: [profileCommand] });
