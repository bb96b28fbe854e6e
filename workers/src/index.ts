// The Worker entry: builds the app, mounts each domain's routes, exports Durable Objects and the cron handler.
import { agentConnectRoutes, agentRoutes } from "./agents/routes.ts";
import { alertRoutes } from "./alerts/routes.ts";
import { analyticsRoutes } from "./analytics/routes.ts";
import { newApp } from "./app.ts";
import { authenticate, checkOrigin, requireAuth } from "./auth/authenticate.ts";
import { authRoutes } from "./auth/routes.ts";
import { connectionRoutes, platformCallbackRoutes } from "./connections/routes.ts";
import { apiTokenRoutes } from "./api-tokens/routes.ts";
import { auditRoutes } from "./audit/routes.ts";
import { chatBotRoutes } from "./chat-bot/routes.ts";
import { runScheduled } from "./cron/registry.ts";
import { customCommandRoutes } from "./custom-commands/routes.ts";
import "./discord-gateway/handlers.ts";
import { consumeDiscordQueue } from "./discord-queue/consumer.ts";
import { discordGuildManagerRoutes, discordGuildRoutes, discordInstallRoutes } from "./discord-guilds/routes.ts";
import { agentInstallRoutes, enrollmentRoutes } from "./enrollment/routes.ts";
import { githubFeedRoutes, githubWebhookRoutes } from "./github/routes.ts";
import { goLiveRoutes } from "./go-live/routes.ts";
import { healthRoutes } from "./health/routes.ts";
import { inboxRoutes, inboxWebhookRoutes } from "./inbox/routes.ts";
import { interactionRoutes } from "./interactions/routes.ts";
import { jobRoutes } from "./jobs/routes.ts";
import { presenceRoutes } from "./lanyard/routes.ts";
import { inviteRoutes } from "./invites/routes.ts";
import { meRoutes } from "./me/routes.ts";
import { memberRoutes } from "./members/routes.ts";
import { metricRoutes } from "./metrics/routes.ts";
import { nowPlayingRoutes, plexWebhookRoutes } from "./now-playing/routes.ts";
import { overlayRoutes, overlaySocketRoutes } from "./overlays/routes.ts";
import { platformWebhookRoutes } from "./platforms/routes.ts";
import { songRequestRoutes } from "./song-requests/routes.ts";
import { tenantAccess } from "./tenancy/access.ts";
import { tenantRoutes } from "./tenancy/routes.ts";
import { ticketRoutes } from "./tickets/routes.ts";
import { welcomeRoutes } from "./welcome/routes.ts";

export const app = newApp();

app.route("/healthz", healthRoutes);
app.route("/auth/discord/install", discordInstallRoutes);
app.route("/auth/platforms", platformCallbackRoutes);
app.route("/auth", authRoutes);
app.route("/interactions", interactionRoutes);
app.route("/agent", agentConnectRoutes);
app.route("/agent", agentInstallRoutes);
app.route("/overlay", overlaySocketRoutes);
app.route("/webhooks/github", githubWebhookRoutes);
app.route("/webhooks/plex", plexWebhookRoutes);
app.route("/webhooks/inbox", inboxWebhookRoutes);
app.route("/webhooks", platformWebhookRoutes);

app.use("/api/*", checkOrigin, authenticate, requireAuth);
app.use("/api/t/:tenantId", tenantAccess);
app.use("/api/t/:tenantId/*", tenantAccess);
app.route("/api", meRoutes);
for (const routes of [tenantRoutes, memberRoutes, inviteRoutes, apiTokenRoutes, auditRoutes, agentRoutes, enrollmentRoutes, jobRoutes, metricRoutes, overlayRoutes, alertRoutes, githubFeedRoutes, discordGuildRoutes, discordGuildManagerRoutes, goLiveRoutes, nowPlayingRoutes, presenceRoutes, analyticsRoutes, welcomeRoutes, customCommandRoutes, ticketRoutes, connectionRoutes, inboxRoutes, chatBotRoutes, songRequestRoutes]) app.route("/api/t/:tenantId", routes);

export { AgentHub } from "./agents/agent-hub.ts";
export { CacheStore } from "./cache/cache-store.ts";
export { ChatOutbox } from "./chat-bot/chat-outbox.ts";
export { ChatTimers } from "./chat-bot/chat-timers.ts";
export { YouTubeLiveChat } from "./chat-bot/youtube-live-chat.ts";
export { InboxFeed } from "./inbox/inbox-feed.ts";
export { DiscordGateway } from "./discord-gateway/discord-gateway.ts";
export { DiscordLimits } from "./discord-rest/discord-limits.ts";
export { NowPlayingBoard } from "./now-playing/now-playing-board.ts";
export { Outbox } from "./outbox/outbox.ts";
export { OverlayRoom } from "./overlays/overlay-room.ts";
export { SongQueue } from "./song-requests/song-queue.ts";
export { TicketTimers } from "./tickets/ticket-timers.ts";

export default {
  fetch: app.fetch,
  scheduled: runScheduled,
  queue: consumeDiscordQueue,
} satisfies ExportedHandler<import("./env.ts").Env>;
