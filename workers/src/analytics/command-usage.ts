// Slash command usage for analytics: the /interactions route hands each application command to recordCommandUsage
// after answering Discord (never delaying the 3 s answer); it travels the `nebula-analytics` queue as `analytics.command`
// and is counted once per interaction id, a whole queue batch (up to 100) in one statement (countEvents remembers the ids
// it counted, so the consumer needs no per-message claim for it). Counts only: the command's name and the day, not who
// used it or how.
import { discordWire } from "@nebula/schema";
import { z } from "zod";
import { defineQueueKind, sendToDiscordQueue } from "../discord-queue/queue-kind.ts";
import type { Env } from "../env.ts";
import type { Logger } from "../logging/logger.ts";
import { type CountedEvent, countEvents, utcDay } from "./counters.ts";

const CommandUsage = z.object({
  interactionId: z.string().regex(/^\d{1,25}$/),
  guildId: z.string().regex(/^\d{1,25}$/),
  name: z.string().min(1).max(32),
  day: z.iso.date(),
});

export const commandUsageKind = defineQueueKind({
  kind: "analytics.command",
  body: CommandUsage,
  handle: async (usage, q) => {
    await countEvents(q.services.db, [countedUsage(usage)]);
  },
  handleBatch: async (messages, q) => {
    await countEvents(q.services.db, messages.map((m) => countedUsage(m.body)));
  },
});

function countedUsage(usage: z.output<typeof CommandUsage>): CountedEvent {
  return { eventId: `cmd:${usage.interactionId}`, guildId: usage.guildId, day: usage.day, metric: "commands", key: usage.name };
}

/** Enqueues one command's usage; a failure is logged and dropped (a missed count must never fail a command). */
export async function recordCommandUsage(env: Pick<Env, "ANALYTICS_QUEUE">, interaction: discordWire.Interaction, logger: Logger): Promise<void> {
  if (interaction.type !== discordWire.InteractionType.APPLICATION_COMMAND || !interaction.guild_id) return;
  const name = (interaction.data as { name?: unknown } | undefined)?.name;
  if (typeof name !== "string") return;
  try {
    await sendToDiscordQueue(env.ANALYTICS_QUEUE, commandUsageKind, `cmd:${interaction.id}`, { interactionId: interaction.id, guildId: interaction.guild_id, name: name.slice(0, 32), day: utcDay(null, new Date()) });
  } catch (err) {
    logger.warn("command usage not recorded", { err });
  }
}
