// Routes one verified interaction to its handler and returns the response body for Discord. Never throws for a
// user's action: an unknown command or component, a handler's InteractionError, or a crash all become an ephemeral
// message (Discord shows "This interaction failed" for a 5xx, which tells the user nothing).
import { discordWire } from "@nebula/schema";
import type { Logger } from "../logging/logger.ts";
import {
  type FastServices,
  autocompleteContext,
  baseContext,
  commandContext,
  componentContext,
  modalContext,
} from "./context.ts";
import { InteractionError } from "./guards.ts";
import type { InteractionRegistry } from "./registry.ts";
import { type Deferral, type InteractionResponse, defer, deferralResponse, isDeferral, reply } from "./replies.ts";

const { InteractionType: IT, InteractionResponseType: RT, AUTOCOMPLETE_MAX_CHOICES, ApplicationCommandOptionChoice } = discordWire;

export type ResponseBody = { type: number; data?: Record<string, unknown> };

export interface RouterDeps {
  registry: InteractionRegistry;
  services: FastServices;
  requestId: string;
  logger: Logger;
  /** Puts the deferred half on the queue; resolves once the queue has it. */
  enqueue(interaction: discordWire.Interaction, deferral: Deferral): Promise<void>;
}

export const NOT_AVAILABLE = "This command is not available.";

export function failureMessage(requestId: string): string {
  return `Something went wrong on our side. If it keeps happening, quote request id \`${requestId}\`.`;
}

const ephemeral = (content: string) => reply({ content, ephemeral: true }) as ResponseBody;

export async function routeInteraction(interaction: discordWire.Interaction, deps: RouterDeps): Promise<ResponseBody> {
  const base = baseContext(interaction, deps.requestId, deps.logger);
  const withServices = <C extends object>(ctx: C) => ({ ...ctx, services: deps.services });
  try {
    switch (interaction.type) {
      case IT.APPLICATION_COMMAND: {
        const data = discordWire.CommandData.safeParse(interaction.data);
        // Not in the static list: a module's resolver may know it (a guild's custom command, read from the cache).
        const command = data.success ? await deps.registry.resolveCommand(data.data.name, { guildId: base.guildId, commandGuildId: data.data.guild_id ?? null, services: deps.services }) : undefined;
        if (!data.success || !command) return unavailable(base.logger, "command", data.success ? data.data.name : null);
        const ctx = withServices(commandContext(base, data.data));
        const response = command.respond ? await command.respond(ctx) : defer({ ephemeral: command.ephemeral });
        return finish(response, !!command.run, interaction, deps);
      }
      case IT.APPLICATION_COMMAND_AUTOCOMPLETE: {
        const data = discordWire.CommandData.safeParse(interaction.data);
        const command = data.success ? deps.registry.command(data.data.name) : undefined;
        if (!data.success || !command?.autocomplete) return { type: RT.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT, data: { choices: [] } };
        const choices = await command.autocomplete(withServices(autocompleteContext(base, data.data)));
        return { type: RT.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT, data: { choices: capChoices(choices) } };
      }
      case IT.MESSAGE_COMPONENT: {
        const data = discordWire.ComponentData.safeParse(interaction.data);
        if (!data.success) return unavailable(base.logger, "component", null);
        const ctx = withServices(componentContext(base, data.data));
        const component = deps.registry.component(ctx.prefix);
        if (!component) return unavailable(base.logger, "component", ctx.prefix);
        const response = component.respond
          ? await component.respond(ctx)
          : defer({ update: (component.deferAs ?? "update") === "update", ephemeral: component.ephemeral });
        return finish(response, !!component.run, interaction, deps);
      }
      case IT.MODAL_SUBMIT: {
        const data = discordWire.ModalSubmitData.safeParse(interaction.data);
        if (!data.success) return unavailable(base.logger, "modal", null);
        const ctx = withServices(modalContext(base, data.data));
        const modal = deps.registry.modal(ctx.prefix);
        if (!modal) return unavailable(base.logger, "modal", ctx.prefix);
        const response = modal.respond ? await modal.respond(ctx) : defer({ ephemeral: modal.ephemeral });
        return finish(response, !!modal.run, interaction, deps);
      }
      default:
        return unavailable(base.logger, `type ${interaction.type}`, null);
    }
  } catch (err) {
    if (interaction.type === IT.APPLICATION_COMMAND_AUTOCOMPLETE) {
      base.logger.error("autocomplete handler failed", { err });
      return { type: RT.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT, data: { choices: [] } };
    }
    if (err instanceof InteractionError) return ephemeral(err.message);
    base.logger.error("interaction handler failed", { err });
    return ephemeral(failureMessage(deps.requestId));
  }
}

async function finish(response: InteractionResponse, hasRun: boolean, interaction: discordWire.Interaction, deps: RouterDeps): Promise<ResponseBody> {
  if (!isDeferral(response)) return response;
  if (!hasRun) throw new Error("Handler deferred but defines no run()");
  await deps.enqueue(interaction, response);
  return deferralResponse(response);
}

function unavailable(logger: Logger, what: string, name: string | null): ResponseBody {
  logger.warn("interaction for an unknown handler", { what, name });
  return ephemeral(NOT_AVAILABLE);
}

/** Discord: at most 25 choices; names 1-100 characters, string values at most 100. Extra or malformed ones are cut. */
export function capChoices(choices: readonly unknown[]): discordWire.ApplicationCommandOptionChoice[] {
  const out: discordWire.ApplicationCommandOptionChoice[] = [];
  for (const raw of choices) {
    if (out.length >= AUTOCOMPLETE_MAX_CHOICES) break;
    const c = raw as { name?: unknown; value?: unknown };
    const name = typeof c.name === "string" ? c.name.slice(0, 100) : "";
    const parsed = ApplicationCommandOptionChoice.safeParse({ name, value: typeof c.value === "string" ? c.value.slice(0, 100) : c.value });
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}
