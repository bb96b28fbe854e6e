// Single source of truth for tables and wire shapes shared by workers, agent and web.
export * from "./core/index.ts";
export * from "./dashboard/index.ts";
export * from "./discord/index.ts";
export * from "./stream/index.ts";
export * from "./ids.ts";
export * as api from "./api/index.ts";
export * as agentWire from "./wire/agent.ts";
export * as overlayWire from "./wire/overlay.ts";
export * as discordWire from "./wire/discord.ts";
export * as discordGatewayWire from "./wire/discord-gateway.ts";
