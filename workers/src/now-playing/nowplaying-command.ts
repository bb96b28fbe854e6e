// /nowplaying: what Plex is playing for this server, answered on the fast path from the state the guild's board
// keeps in the shared cache (Discord waits 3 s; no Postgres, no wake-up of a sleeping database).
import { api } from "@nebula/schema";
import { defineCommand, defineInteractionModule } from "../interactions/registry.ts";
import { renderBoard, stateCacheKey } from "./board.ts";

const NOT_SET_UP = "Nothing is playing on Plex right now. (An admin connects Plex in the dashboard: Discord → Now Playing.)";

export const nowPlayingCommand = defineCommand({
  name: "nowplaying",
  description: "What is playing on this server's Plex right now",
  scope: "global",
  // Discord: 0 = guild channels only; the board belongs to a server.
  definition: { contexts: [0] },
  async respond(ctx) {
    if (!ctx.guildId) return ctx.reply({ content: "Use /nowplaying inside a server.", ephemeral: true });
    const raw = await ctx.services.cache.get(stateCacheKey(ctx.guildId)).catch(() => null);
    const parsed = raw ? api.NowPlayingState.safeParse(JSON.parse(raw)) : null;
    if (!parsed?.success) return ctx.reply({ content: NOT_SET_UP });
    const message = renderBoard(parsed.data, Date.now());
    return ctx.reply({ embeds: message.embeds as Record<string, unknown>[] });
  },
});

export const nowPlayingModule = defineInteractionModule({ name: "now-playing", commands: [nowPlayingCommand] });
