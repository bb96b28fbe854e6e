// The song-request queue in chat, built into the chat bot: !sr <link|id> (everyone: the title and its place, or why
// not), !song (what plays), !skip (moderators and the broadcaster) and !wrongsong (takes back the chatter's newest
// waiting request). With the commands off in the settings, these names are left to the tenant's custom commands.
import type { api } from "@nebula/schema";
import type { Actor } from "../audit/audit.ts";
import type { ChatBotDeps, ChatOutcome } from "../chat-bot/chat-bot.ts";
import type { ChatBotChannel } from "../chat-bot/chat-config.ts";
import type { ChatMessage } from "../chat-bot/chat-message.ts";
import { CHAT_MESSAGE_MAX, type Invocation, mayUse, parseInvocation } from "../chat-bot/command-engine.ts";
import type { ChatChannelRef } from "../chat-bot/platform-chat.ts";
import { AppError } from "../errors/app-error.ts";
import { isQuotaExhausted } from "../platforms/youtube/youtube-quota.ts";
import { refusalOf, songLength } from "./song-rules.ts";
import { type Requester, type SongRequestDeps, requestSong, skipSong, songQueue, withdrawLastRequest } from "./song-requests.ts";
import { youtubeVideoIdOf } from "./youtube-video-id.ts";

export const SONG_COMMANDS = new Set(["sr", "song", "skip", "wrongsong"]);

/** What the chat bot lends a song command: its services, its channel's reference and a way to reply. */
export interface SongCommandDeps extends Pick<ChatBotDeps, "db" | "cache" | "config" | "logger" | "now" | "send" | "songQueues"> {}

const songLink = (videoId: string) => `https://youtu.be/${videoId}`;
const fit = (text: string) => [...text].slice(0, CHAT_MESSAGE_MAX).join("");

function requesterOf(message: ChatMessage): Requester {
  return { name: message.user.name, platform: message.platform, id: message.user.id, privileged: mayUse(message.user.roles, "moderator") };
}

const actorOf = (message: ChatMessage): Actor => ({ id: `${message.platform}:${message.user.id}`, name: `${message.user.name} (${message.platform} chat)` });

/** Why a request failed, in words for chat; an unexpected error is rethrown (the queue retries the event). */
function whyNot(err: unknown): string {
  if (refusalOf(err)) return (err as AppError).message;
  if (isQuotaExhausted(err)) return "YouTube's API quota for today is used up; song requests are back after it resets.";
  if (err instanceof AppError && (err.code === "UPSTREAM" || err.code === "RATE_LIMITED" || err.code === "MISCONFIGURED")) return "I couldn't reach YouTube just now; try again in a moment.";
  throw err;
}

/** The tenant's song-request settings for one chat line: songSettingsOnce, so the line reads them once. */
export type LineSongSettings = () => Promise<api.SongRequestSettings>;

/** "!sr <YouTube link>" while the commands are on: the chat bot's link and repeat rules let it through (a request, not spam). */
export async function isSongRequestLink(settings: LineSongSettings, text: string): Promise<boolean> {
  const invocation = parseInvocation(text);
  if (invocation?.name !== "sr" || invocation.args.length !== 1 || !youtubeVideoIdOf(invocation.args[0] as string)) return false;
  return (await settings()).commandsEnabled;
}

/**
 * Answers a song command, or null when `invocation` is none (or the commands are off): the bot then looks for a custom
 * command of that name.
 */
export async function runSongCommand(
  deps: SongCommandDeps,
  channel: ChatBotChannel,
  ref: ChatChannelRef,
  message: ChatMessage,
  invocation: Invocation,
  settings: LineSongSettings,
): Promise<ChatOutcome | null> {
  if (!SONG_COMMANDS.has(invocation.name)) return null;
  if (!(await settings()).commandsEnabled) return null;
  const songs: SongRequestDeps = { db: deps.db, cache: deps.cache, config: deps.config, logger: deps.logger, now: deps.now, queues: deps.songQueues };
  const tenantId = channel.tenantId;
  const reply = async (text: string): Promise<ChatOutcome> => {
    await deps.send([{ tenantId, channel: ref, text: fit(text), replyTo: message.messageId }]);
    return { kind: "replied", command: invocation.name };
  };
  const at = `@${message.user.name}`;
  switch (invocation.name) {
    case "sr": {
      const input = invocation.args[0];
      if (!input) return reply(`${at}, request a song with !sr <YouTube link or video id>.`);
      try {
        const added = await requestSong(songs, tenantId, input, requesterOf(message), actorOf(message), settings);
        const song = `${added.request.title} (${songLength(added.request.durationSeconds)})`;
        return reply(added.position === 0 ? `${at}, now playing: ${song}.` : `${at}, added ${song} at #${added.position} in the queue.`);
      } catch (err) {
        return reply(`${at}, ${whyNot(err)}`);
      }
    }
    case "song": {
      const playing = (await songQueue(songs, tenantId)).playing;
      return reply(playing ? `Now playing: ${playing.title} by ${playing.channelTitle}, requested by ${playing.requestedBy.name}: ${songLink(playing.videoId)}` : "Nothing is playing right now.");
    }
    case "skip": {
      if (!mayUse(message.user.roles, "moderator")) return { kind: "denied" };
      const { skipped, playing } = await skipSong(songs, tenantId, actorOf(message));
      if (!skipped) return reply(playing ? `Now playing: ${playing.title}.` : "Nothing is playing right now.");
      return reply(`Skipped ${skipped.title}. ${playing ? `Now playing: ${playing.title}.` : "The queue is empty."}`);
    }
    default: {
      const withdrawn = await withdrawLastRequest(songs, tenantId, requesterOf(message), actorOf(message));
      return reply(withdrawn ? `${at}, removed ${withdrawn.title} from the queue.` : `${at}, you have no song waiting in the queue.`);
    }
  }
}
