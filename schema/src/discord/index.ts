// The discord schema: every table of the Discord bot product. Each feature adds its table file here.
export * from "./columns.ts";
export * from "./guilds.ts";
export * from "./github-feeds.ts";
export * from "./github-deliveries.ts";
export * from "./tracked-streamers.ts";
export * from "./stream-sessions.ts";
export * from "./ticket-settings.ts";
export * from "./ticket-panels.ts";
export * from "./ticket-categories.ts";
export * from "./tickets.ts";
export * from "./ticket-messages.ts";
export * from "./now-playing.ts";
export * from "./analytics.ts";
export * from "./welcome-settings.ts";
export * from "./welcome-events.ts";
export * from "./custom-commands.ts";
export * from "./custom-command-registrations.ts";
