// The `interaction.run` queue kind: the slow half of a deferred interaction. Calls the handler's run() with Postgres
// available, then edits @original with what it returned, all within the interaction token's 15 minutes.
import { discordWire } from "@nebula/schema";
import { z } from "zod";
import { discordRestFor } from "../discord-rest/shared-client.ts";
import { INTERACTION_TOKEN_TTL_MS, editOriginalResponse } from "../discord-rest/interaction-webhooks.ts";
import { type QueueContext, defineQueueKind } from "../discord-queue/queue-kind.ts";
import { AppError, upstreamStatus } from "../errors/app-error.ts";
import { interactionRegistry } from "./commands.ts";
import { baseContext, commandContext, componentContext, modalContext, runExtras } from "./context.ts";
import { InteractionError } from "./guards.ts";
import type { InteractionRegistry } from "./registry.ts";
import { type MessageReply, messageBody } from "./replies.ts";
import { NOT_AVAILABLE, failureMessage } from "./router.ts";

const { InteractionType: IT } = discordWire;

export const InteractionRunBody = z.object({
  interaction: z.record(z.string(), z.unknown()),
  deferred: z.enum(["message", "update"]),
});

const DISCORD_EPOCH = 1420070400000n;

/** When Discord created the interaction: the snowflake's top 42 bits are ms since the Discord epoch. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

/** Discord refuses a 4xx (unknown webhook: the token expired); repeating it will not help. */
function isRejection(err: unknown): boolean {
  return err instanceof AppError && err.code === "UPSTREAM" && upstreamStatus(err) !== null;
}

export async function runDeferredInteraction(body: z.output<typeof InteractionRunBody>, q: QueueContext, registry: InteractionRegistry): Promise<void> {
  const interaction = discordWire.Interaction.parse(body.interaction);
  const requestId = q.requestId ?? `queue-${interaction.id}`;
  const base = baseContext(interaction, requestId, q.logger);
  const logger = base.logger;
  if (Date.now() - snowflakeTime(interaction.id) > INTERACTION_TOKEN_TTL_MS) {
    logger.warn("deferred interaction arrived after its token expired; dropped");
    return;
  }
  const rest = discordRestFor(q.services.config);
  let edited = false;
  const extras = runExtras(q.services, rest, interaction, () => {
    edited = true;
  });
  const edit = (msg: MessageReply) => editOriginalResponse(rest, { applicationId: interaction.application_id, token: interaction.token }, messageBody(msg));

  let result: MessageReply | undefined | null;
  try {
    result = await runHandler(interaction, base, extras, registry);
  } catch (err) {
    if (err instanceof InteractionError) result = { content: err.message };
    else {
      logger.error("deferred interaction handler failed", { err });
      result = { content: failureMessage(requestId) };
    }
  }
  if (result === null) result = { content: NOT_AVAILABLE };
  // Nothing to say after a deferred reply would leave Discord's "thinking…" up until the token expires.
  if (!result && !edited && body.deferred === "message") result = { content: "Done." };
  if (!result) return;
  try {
    await edit(result);
  } catch (err) {
    if (isRejection(err)) {
      logger.warn("Discord refused the deferred reply; not retried", { err });
      return;
    }
    throw err;
  }
}

/** null: no handler (the module was removed between the click and now). */
async function runHandler(
  interaction: discordWire.Interaction,
  base: ReturnType<typeof baseContext>,
  extras: ReturnType<typeof runExtras>,
  registry: InteractionRegistry,
): Promise<MessageReply | undefined | null> {
  switch (interaction.type) {
    case IT.APPLICATION_COMMAND: {
      const data = discordWire.CommandData.parse(interaction.data);
      const command = await registry.resolveCommand(data.name, { guildId: base.guildId, commandGuildId: data.guild_id ?? null, services: extras.services });
      return command?.run ? ((await command.run({ ...commandContext(base, data), ...extras })) ?? undefined) : null;
    }
    case IT.MESSAGE_COMPONENT: {
      const ctx = componentContext(base, discordWire.ComponentData.parse(interaction.data));
      const component = registry.component(ctx.prefix);
      return component?.run ? ((await component.run({ ...ctx, ...extras })) ?? undefined) : null;
    }
    case IT.MODAL_SUBMIT: {
      const ctx = modalContext(base, discordWire.ModalSubmitData.parse(interaction.data));
      const modal = registry.modal(ctx.prefix);
      return modal?.run ? ((await modal.run({ ...ctx, ...extras })) ?? undefined) : null;
    }
    default:
      return null;
  }
}

/** The queue kind bound to a registry; production uses the app's, tests their own. */
export function createInteractionRunKind(registry: InteractionRegistry) {
  return defineQueueKind({
    kind: "interaction.run",
    body: InteractionRunBody,
    // Past the token's 15 minutes nothing can be sent anyway.
    rememberSeconds: 20 * 60,
    handle: (body, q) => runDeferredInteraction(body, q, registry),
  });
}

export const interactionRun = createInteractionRunKind(interactionRegistry);
