// Custom commands as an interaction module: no static commands, only the resolver the router asks for names it does
// not know (listed in interactions/commands.ts like every other module).
import { defineInteractionModule } from "../interactions/registry.ts";
import { resolveCustomCommand } from "./invoke.ts";

export const customCommandsModule = defineInteractionModule({ name: "custom-commands", resolveCommand: resolveCustomCommand });
