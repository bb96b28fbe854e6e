// Arrangement for the inbox suites: a tenant whose channels feed its inbox, signed platform webhooks (the fakes
// sign with the real secrets and keys), the tenant's live inbox socket to wait on, and direct row seeding.
import { exports } from "cloudflare:workers";
import { type SeededMember, type SeededTenant, asUser, seedTenant, url, withDb } from "../support/seed.ts";
import { mustConnect, type TestSocket } from "../support/sockets.ts";
import type { api } from "@nebula/schema";
import { expect } from "vitest";

export const call = (path: string, init?: RequestInit) => exports.default.fetch(url(path), init);
export const inboxPath = (tenantId: string, rest = "") => `/api/t/${tenantId}/streams/inbox${rest}`;

export async function seedInboxTenant(name = "Inbox lab"): Promise<SeededTenant> {
  return withDb((db) => seedTenant(db, name));
}

export async function apiCall<T>(member: SeededMember, method: string, path: string, body?: unknown, status = 200): Promise<T> {
  const res = await call(path, asUser(member, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
  expect(res.status, await res.clone().text()).toBe(status);
  return res.status === 204 ? (undefined as T) : ((await res.json()) as T);
}

export async function addChannel(tenant: SeededTenant, platform: "twitch" | "youtube" | "kick", broadcasterId: string): Promise<void> {
  await apiCall(tenant.members.admin, "POST", inboxPath(tenant.tenantId, "/sources"), { platform, broadcasterId, streamerUserId: tenant.owner.userId }, 201);
}

/** The inbox page's socket, as the web app opens it (cookie session). */
export function openInbox(member: SeededMember, tenantId: string): Promise<TestSocket> {
  return mustConnect(inboxPath(tenantId, "/live"), { cookie: member.cookie });
}

export async function nextItem(socket: TestSocket): Promise<api.InboxItem> {
  const frame = await socket.nextJson<api.InboxLiveFrame>();
  expect(frame.type).toBe("item");
  return frame.item;
}

let serial = 0;
export const platformId = () => String(70_000_000 + Math.floor(Math.random() * 1_000_000) * 10 + (++serial % 10));
