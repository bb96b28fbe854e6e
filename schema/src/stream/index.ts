// The stream schema: every table of the stream bot product. Each feature adds its table file here.
export * from "./columns.ts";
export * from "./inbox-notifications.ts";
export * from "./inbox-sources.ts";
export * from "./inbox-webhooks.ts";
export * from "./inbox-settings.ts";
export * from "./overlays.ts";
export * from "./chat-channels.ts";
export * from "./chat-commands.ts";
export * from "./chat-timers.ts";
export * from "./moderation-settings.ts";
export * from "./moderation-log.ts";
export * from "./connections.ts";
export * from "./eventsub-subscriptions.ts";
export * from "./song-requests.ts";
export * from "./song-request-settings.ts";
