// Every interaction module of the bot, in one list: the /interactions router and `npm run discord:register` both read
// it, so what is registered with Discord and what is answered never drift apart. A feature adds its module here.
import { customCommandsModule } from "../custom-commands/module.ts";
import { streamsModule } from "../go-live/streams-command.ts";
import { profileModule } from "../lanyard/profile-command.ts";
import { nowPlayingModule } from "../now-playing/nowplaying-command.ts";
import { ticketsModule } from "../tickets/ticket-interactions.ts";
import { nebulaModule } from "./builtin/nebula.ts";
import { createRegistry } from "./registry.ts";

export const INTERACTION_MODULES = [nebulaModule, streamsModule, nowPlayingModule, profileModule, customCommandsModule, ticketsModule];

export const interactionRegistry = createRegistry(INTERACTION_MODULES);
