// GitHub feeds for the Discord section: a tenant's webhook feeds (the secret is answered once, on create and on
// rotate), their filters and deploy rules, and each feed's recent deliveries.
import type { GithubDelivery, GithubFeedFilters, GithubDeployRule, GithubFeedView, GithubFeedWithSecret } from "@nebula/schema/api/github";
import type { Destination } from "@nebula/schema/api/alerts";
import { query } from "@solidjs/router";
import { request } from "./client.ts";
import { discordTenantPath } from "./discord.ts";

export type GithubFeedInput = { name: string; enabled: boolean; filters: GithubFeedFilters; destination: Destination; deployRules: GithubDeployRule[] };

const feeds = (tenantId: string, rest = "") => discordTenantPath(tenantId, `/github/feeds${rest}`);
const feedPath = (tenantId: string, id: string, rest = "") => feeds(tenantId, `/${encodeURIComponent(id)}${rest}`);

export const getGithubFeeds = query((tenantId: string) => request<{ items: GithubFeedView[] }>("GET", feeds(tenantId)), "github-feeds");
export const getGithubDeliveries = query(
  (tenantId: string, feedId: string) => request<{ items: GithubDelivery[] }>("GET", feedPath(tenantId, feedId, "/deliveries")),
  "github-deliveries",
);

export const createGithubFeed = (tenantId: string, input: GithubFeedInput) => request<GithubFeedWithSecret>("POST", feeds(tenantId), input);
/** `destination` left out keeps the stored one (a webhook URL is never read back). */
export const updateGithubFeed = (tenantId: string, id: string, change: Partial<GithubFeedInput>) =>
  request<GithubFeedView>("PATCH", feedPath(tenantId, id), change);
export const deleteGithubFeed = (tenantId: string, id: string) => request<void>("DELETE", feedPath(tenantId, id));
export const rotateGithubSecret = (tenantId: string, id: string) => request<GithubFeedWithSecret>("POST", feedPath(tenantId, id, "/rotate-secret"));
export const sendGithubTest = (tenantId: string, id: string) => request<{ queued: boolean; messageId: string }>("POST", feedPath(tenantId, id, "/test"));
