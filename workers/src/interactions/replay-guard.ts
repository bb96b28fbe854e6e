// Each interaction id runs its handlers once: a signed body replayed inside the signature window (same id, same
// signature) is answered without running anything. Claimed in the cache only after the signature verified, so an
// unsigned request can never burn a real interaction's id.
import { discordWire } from "@nebula/schema";
import type { Cache } from "../cache/cache.ts";
import type { Logger } from "../logging/logger.ts";
import { reply } from "./replies.ts";
import type { ResponseBody } from "./router.ts";
import { MAX_SIGNATURE_AGE_SECONDS } from "./verify-signature.ts";

const { InteractionResponseType: RT, InteractionType: IT } = discordWire;

/**
 * A timestamp is accepted up to MAX_SIGNATURE_AGE_SECONDS either side of now, so one signed body can be presented
 * during twice that span; the id is remembered a little longer than that (and as long as the token lives, 15 min).
 */
export const INTERACTION_CLAIM_SECONDS = Math.max(2 * MAX_SIGNATURE_AGE_SECONDS + 60, 15 * 60);

export const ALREADY_HANDLED = "This interaction was already handled.";

/** True when this call is the first to see the id. A cache outage lets it through: an unanswered command is worse. */
export async function claimInteraction(cache: Cache, id: string, logger: Logger): Promise<boolean> {
  try {
    return await cache.setIfAbsent(`ix:${id}`, "1", INTERACTION_CLAIM_SECONDS);
  } catch (err) {
    logger.warn("interaction replay guard unavailable; handling without it", { err, interactionId: id });
    return true;
  }
}

/**
 * What a replay gets. Discord sends an interaction once and accepts one initial response per token, so a second
 * delivery of a signed body never comes from Discord waiting for an answer: it comes from whoever captured it.
 * Storing the first answer to repeat it would hand that party the (often ephemeral, user-only) reply; a fixed,
 * valid response of the right type tells it nothing and costs nothing to produce.
 */
export function replayAnswer(interaction: Pick<discordWire.Interaction, "type">): ResponseBody {
  // Discord: autocomplete must be answered with choices (type 8); a message there is rejected.
  if (interaction.type === IT.APPLICATION_COMMAND_AUTOCOMPLETE) return { type: RT.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT, data: { choices: [] } };
  return reply({ content: ALREADY_HANDLED, ephemeral: true }) as ResponseBody;
}
