// The REST API's wire shapes, one file per area, exported together as `api`.
export * from "./core.ts";
export * from "./agents.ts";
export * from "./enrollment.ts";
export * from "./jobs.ts";
export * from "./overlays.ts";
export * from "./alerts.ts";
export * from "./discord.ts";
export * from "./github.ts";
export * from "./go-live.ts";
export * from "./now-playing.ts";
export * from "./analytics.ts";
export * from "./tickets.ts";
export * from "./welcome.ts";
export * from "./custom-commands.ts";
export * from "./inbox.ts";
export * from "./chat-bot.ts";
export * from "./connections.ts";
