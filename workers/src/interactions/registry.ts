// The interaction handler contract: feature modules define commands, components and modals here, and list their
// module in interactions/commands.ts, which both the /interactions router and `npm run discord:register` read.
//
//   defineCommand({ name, description, scope: "global" | "guild", options?, definition?,
//                   respond?(ctx) -> ctx.reply(msg) | ctx.showModal(m) | ctx.defer({ ephemeral }),
//                   run?(ctx) -> MessageReply | void,   // ctx.services.db, ctx.editOriginal, ctx.followUp
//                   autocomplete?(ctx) -> Choice[],     // at most 25 are sent (Discord's cap), names cut to 100
//                   ephemeral? })                       // how it defers when there is no respond()
//   defineComponent({ prefix, respond?(ctx) -> ctx.reply | ctx.update | ctx.showModal | ctx.defer({ update: true }),
//                     run?(ctx), ephemeral?, deferAs?: "update" | "message" })
//   defineModal({ prefix, respond?(ctx), run?(ctx), ephemeral? })
//   defineInteractionModule({ name, commands?, components?, modals?, resolveCommand? })
//
// resolveCommand(name, { guildId, services }) is the fallback for commands that are not in the static list (a guild's
// custom commands): the router and the deferred run ask each module's resolver, in module order, when no static
// command has the name. On the fast path `services` has no db, so a resolver reads the cache, and on a miss may
// return a command that defers and finds itself in run().
//
// respond() is the fast path: no Postgres (ctx.services has no db), must answer within Discord's 3 s. Without
// respond(), or when it returns ctx.defer(), the router answers DEFERRED (type 5, or 6 for a component deferred as an
// update) and enqueues `interaction.run`; the queue consumer calls run(ctx) with ctx.services.db, and run's returned
// message edits @original (the interaction token is valid for 15 minutes). Queues deliver at least once: the consumer
// skips interaction ids it has finished, but a crash between a side effect and the final edit re-runs run(), so make
// writes idempotent on ctx.id. Throw InteractionError("text") to show the user a message; any other throw shows a
// generic error with the request id and is logged. custom_id state: encodeCustomId(prefix, ...args) (≤ 100 chars,
// throws when longer) → ctx.args in the component/modal handler.
import type { discordWire } from "@nebula/schema";
import type {
  AutocompleteContext,
  CommandContext,
  ComponentContext,
  FastServices,
  ModalContext,
  RunContext,
  WithServices,
} from "./context.ts";
import { CUSTOM_ID_PREFIX } from "./custom-id.ts";
import type { InteractionResponse, MessageReply } from "./replies.ts";

type Awaitable<T> = T | Promise<T>;
// biome-ignore lint/suspicious/noConfusingVoidType: run() may end without a value (an async function returning Promise<void>)
type RunResult = Awaitable<MessageReply | undefined | void>;

export type CommandScope = "global" | "guild";

export interface CommandSpec {
  name: string;
  description: string;
  /** global: registered for every server; guild: registered per guild (`discord:register --guild <id>`). */
  scope: CommandScope;
  options?: discordWire.ApplicationCommandOptionDefinition[];
  /** Extra fields of Discord's command object (default_member_permissions, contexts, ...). */
  definition?: Partial<Omit<discordWire.ApplicationCommandDefinition, "name" | "description" | "options">>;
  respond?(ctx: WithServices<CommandContext>): Awaitable<InteractionResponse>;
  run?(ctx: RunContext<CommandContext>): RunResult;
  autocomplete?(ctx: WithServices<AutocompleteContext>): Awaitable<discordWire.ApplicationCommandOptionChoice[]>;
  /** The deferred reply is visible only to the user (used when run() exists without respond()). */
  ephemeral?: boolean;
}

export interface Command extends CommandSpec {
  /** The JSON sent to PUT /applications/{app}/commands. */
  definitionJson: discordWire.ApplicationCommandDefinition;
}

export interface ComponentSpec {
  /** The custom_id prefix this handler owns (encodeCustomId(prefix, ...)). */
  prefix: string;
  respond?(ctx: WithServices<ComponentContext>): Awaitable<InteractionResponse>;
  run?(ctx: RunContext<ComponentContext>): RunResult;
  /** Without respond(): "update" (type 6, run() edits the clicked message, the default) or "message" (type 5). */
  deferAs?: "update" | "message";
  ephemeral?: boolean;
}
export type Component = ComponentSpec;

export interface ModalSpec {
  prefix: string;
  respond?(ctx: WithServices<ModalContext>): Awaitable<InteractionResponse>;
  run?(ctx: RunContext<ModalContext>): RunResult;
  ephemeral?: boolean;
}
export type Modal = ModalSpec;

/** Where a dynamic command is looked up: the guild, and the fast path's services (no db) or run()'s (with db). */
export interface CommandLookup {
  guildId: string | null;
  /** interaction.data.guild_id: the guild the command is registered to; Discord sets it for guild commands only. */
  commandGuildId: string | null;
  services: FastServices;
}

/** Finds a command the static list does not hold; undefined: not this module's. */
export type CommandResolver = (name: string, lookup: CommandLookup) => Awaitable<Command | undefined>;

export interface InteractionModule {
  name: string;
  commands?: Command[];
  components?: Component[];
  modals?: Modal[];
  /** Fallback for names the static list does not hold (per-guild custom commands). */
  resolveCommand?: CommandResolver;
}

/** Discord: at most 25 options per command or subcommand, descriptions 1-100 characters. */
function checkOptions(where: string, options: discordWire.ApplicationCommandOptionDefinition[] | undefined): void {
  if (!options) return;
  if (options.length > 25) throw new Error(`${where}: Discord allows at most 25 options`);
  for (const o of options) {
    if (!/^[-_\p{Ll}\p{N}]{1,32}$/u.test(o.name)) throw new Error(`${where}: option name "${o.name}" is not a valid Discord name`);
    if (o.description.length < 1 || o.description.length > 100) throw new Error(`${where} ${o.name}: description must be 1-100 characters`);
    checkOptions(`${where} ${o.name}`, o.options);
  }
}

export function defineCommand(spec: CommandSpec): Command {
  if (!/^[-_\p{Ll}\p{N}]{1,32}$/u.test(spec.name)) throw new Error(`Command name "${spec.name}" is not a valid Discord name (1-32 lowercase)`);
  if (spec.description.length < 1 || spec.description.length > 100) throw new Error(`/${spec.name}: description must be 1-100 characters`);
  if (!spec.respond && !spec.run) throw new Error(`/${spec.name}: define respond() or run()`);
  checkOptions(`/${spec.name}`, spec.options);
  return {
    ...spec,
    definitionJson: { type: 1, ...spec.definition, name: spec.name, description: spec.description, ...(spec.options ? { options: spec.options } : {}) },
  };
}

function checkPrefix(kind: string, spec: { prefix: string; respond?: unknown; run?: unknown }): void {
  if (!CUSTOM_ID_PREFIX.test(spec.prefix)) throw new Error(`${kind} prefix "${spec.prefix}" must match ${CUSTOM_ID_PREFIX}`);
  if (!spec.respond && !spec.run) throw new Error(`${kind} ${spec.prefix}: define respond() or run()`);
}

export function defineComponent(spec: ComponentSpec): Component {
  checkPrefix("Component", spec);
  return spec;
}

export function defineModal(spec: ModalSpec): Modal {
  checkPrefix("Modal", spec);
  return spec;
}

export function defineInteractionModule(module: InteractionModule): InteractionModule {
  return module;
}

export interface InteractionRegistry {
  modules: readonly InteractionModule[];
  command(name: string): Command | undefined;
  /** The static command, else the first module resolver's answer (custom commands). */
  resolveCommand(name: string, lookup: CommandLookup): Promise<Command | undefined>;
  component(prefix: string): Component | undefined;
  modal(prefix: string): Modal | undefined;
  /** The command definitions of one scope, for bulk overwrite. */
  definitions(scope: CommandScope): discordWire.ApplicationCommandDefinition[];
}

/** Discord: at most 100 global (and 100 per-guild) chat input commands. */
const MAX_COMMANDS_PER_SCOPE = 100;

/** Indexes modules; duplicate command names or prefixes are a startup error, never a silent override. */
export function createRegistry(modules: readonly InteractionModule[]): InteractionRegistry {
  const commands = new Map<string, Command>();
  const components = new Map<string, Component>();
  const modals = new Map<string, Modal>();
  const add = <T>(map: Map<string, T>, key: string, value: T, what: string, module: string) => {
    if (map.has(key)) throw new Error(`${what} "${key}" is defined twice (again in module ${module})`);
    map.set(key, value);
  };
  for (const m of modules) {
    for (const c of m.commands ?? []) add(commands, c.name, c, "Command", m.name);
    for (const c of m.components ?? []) add(components, c.prefix, c, "Component prefix", m.name);
    for (const c of m.modals ?? []) add(modals, c.prefix, c, "Modal prefix", m.name);
  }
  for (const scope of ["global", "guild"] as const) {
    const n = [...commands.values()].filter((c) => c.scope === scope).length;
    if (n > MAX_COMMANDS_PER_SCOPE) throw new Error(`${n} ${scope} commands: Discord allows ${MAX_COMMANDS_PER_SCOPE}`);
  }
  const resolvers = modules.flatMap((m) => (m.resolveCommand ? [m.resolveCommand] : []));
  return {
    modules,
    command: (name) => commands.get(name),
    resolveCommand: async (name, lookup) => {
      const known = commands.get(name);
      if (known) return known;
      for (const resolve of resolvers) {
        const found = await resolve(name, lookup);
        if (found) return found;
      }
      return undefined;
    },
    component: (prefix) => components.get(prefix),
    modal: (prefix) => modals.get(prefix),
    definitions: (scope) => [...commands.values()].filter((c) => c.scope === scope).map((c) => c.definitionJson),
  };
}
