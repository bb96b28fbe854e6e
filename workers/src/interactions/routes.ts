// /interactions: Discord's HTTP interactions endpoint. Verify, parse, claim the id (a replay runs nothing), route,
// answer; no Postgres on this path (Discord: the first response must arrive within 3 s, and Neon may be asleep).
// Anything slower is deferred through the `nebula-discord` queue (interaction.run) and finished by its consumer.
import { discordWire } from "@nebula/schema";
import { Hono } from "hono";
import { recordCommandUsage } from "../analytics/command-usage.ts";
import { sendToDiscordQueue } from "../discord-queue/queue-kind.ts";
import { AppError } from "../errors/app-error.ts";
import type { Env } from "../env.ts";
import type { AppEnv } from "../http/context.ts";
import type { Logger } from "../logging/logger.ts";
import { parseOrThrow } from "../http/validate.ts";
import { rateLimitFailures } from "../rate-limit/rate-limit.ts";
import { afterResponse } from "../services/services.ts";
import { interactionRegistry } from "./commands.ts";
import type { FastServices } from "./context.ts";
import type { InteractionRegistry } from "./registry.ts";
import { claimInteraction, replayAnswer } from "./replay-guard.ts";
import { routeInteraction } from "./router.ts";
import { interactionRun } from "./run-deferred.ts";
import { verifyDiscordSignature } from "./verify-signature.ts";

const { Interaction, InteractionResponseType, InteractionType } = discordWire;

// Stateless when not streaming: one per isolate serves every request.
const utf8 = new TextDecoder();

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(body));
  } catch {
    throw new AppError("BAD_REQUEST", "Malformed JSON in request body");
  }
}

// Discord sends bad signatures on purpose to check we reject them; 60 a minute per address is plenty for that.
const signatureFailures = rateLimitFailures({ name: "interactions", limit: 60, windowSeconds: 60 });

/** Called after Discord has its answer (never on its 3 s clock); analytics counts command usage here. */
export type AfterInteraction = (env: Env, interaction: discordWire.Interaction, logger: Logger) => Promise<void>;

/** The endpoint over a given registry: the Worker uses the bot's; tests mount their own. */
export function createInteractionRoutes(registry: InteractionRegistry, afterInteraction?: AfterInteraction) {
  return new Hono<AppEnv>().post("/", signatureFailures, async (c) => {
    // c.get, not c.var: Hono builds a fresh object of every variable on each c.var read.
    const services = c.get("services");
    const requestId = c.get("requestId");
    const publicKey = services.config.DISCORD_PUBLIC_KEY;
    if (!publicKey) throw new AppError("UNAUTHORIZED", "Discord interactions are not configured (DISCORD_PUBLIC_KEY is not set)");
    const body = new Uint8Array(await c.req.arrayBuffer());
    const valid = await verifyDiscordSignature(publicKey, c.req.header("x-signature-ed25519"), c.req.header("x-signature-timestamp"), body);
    if (!valid) throw new AppError("UNAUTHORIZED", "Invalid request signature");
    const interaction = parseOrThrow(Interaction, parseJson(body), "interaction");
    // A PING has no handler and no side effect: a repeated one is simply answered again.
    if (interaction.type === InteractionType.PING) return c.json({ type: InteractionResponseType.PONG });
    if (!(await claimInteraction(services.cache, interaction.id, services.logger))) {
      services.logger.warn("replayed interaction answered without running it", { interactionId: interaction.id, type: interaction.type });
      return c.json(replayAnswer(interaction));
    }
    // The fast path gets no `db`: a handler that needs Postgres defers and uses run().
    const fast: FastServices = { config: services.config, logger: services.logger, now: services.now, cache: services.cache, keyRing: services.keyRing };
    const response = await routeInteraction(interaction, {
      registry,
      services: fast,
      requestId,
      logger: services.logger,
      enqueue: (ix, deferral) => sendToDiscordQueue(c.env.DISCORD_QUEUE, interactionRun, ix.id, { interaction: ix, deferred: deferral.defer }, { requestId }),
    });
    if (afterInteraction) afterResponse(c, afterInteraction(c.env, interaction, services.logger));
    return c.json(response);
  });
}

export const interactionRoutes = createInteractionRoutes(interactionRegistry, recordCommandUsage);
