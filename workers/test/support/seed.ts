// Test arrangement inside workerd: real rows in the real Postgres through the Worker's own db client.
import { env } from "cloudflare:workers";
import { type Role, memberships, newId, tenants, users } from "@nebula/schema";
import { createSession } from "../../src/auth/sessions.ts";
import { loadConfig } from "../../src/config/config.ts";
import { type Db, openDb } from "../../src/db/client.ts";

export const ORIGIN = "http://localhost";

/** Runs `work` with a db handle that is closed afterwards (Workers: one socket per request). */
export async function withDb<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const handle = openDb(loadConfig(env));
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

export interface SeededUser {
  userId: string;
  name: string;
  sessionToken: string;
  cookie: string;
}

export async function seedUser(db: Db, name = `User ${Math.random().toString(36).slice(2, 8)}`): Promise<SeededUser> {
  const userId = newId("user");
  await db.insert(users).values({ id: userId, name });
  const session = await createSession(db, { userId, activeTenantId: null, now: new Date() });
  return { userId, name, sessionToken: session.token, cookie: `nc_session=${session.token}` };
}

export type SeededMember = SeededUser & { membershipId: string };

export interface SeededTenant {
  tenantId: string;
  owner: SeededMember;
  /** One member per role, owner included. */
  members: Record<Role, SeededMember>;
}

export async function addMember(db: Db, tenantId: string, user: SeededUser, role: Role): Promise<string> {
  const membershipId = newId("membership");
  await db.insert(memberships).values({ id: membershipId, tenantId, userId: user.userId, role });
  return membershipId;
}

/** A tenant with one member of each role. */
export async function seedTenant(db: Db, name = "Test Lab"): Promise<SeededTenant> {
  const tenantId = newId("tenant");
  await db.insert(tenants).values({ id: tenantId, name });
  const members = {} as SeededTenant["members"];
  for (const role of ["owner", "admin", "operator", "viewer"] as const) {
    const user = await seedUser(db, `${role} of ${name}`);
    members[role] = { ...user, membershipId: await addMember(db, tenantId, user, role) };
  }
  return { tenantId, owner: members.owner, members };
}

/** Request helpers: a cookie session plus the same-origin header unsafe methods need. */
export function asUser(user: SeededUser, init: RequestInit = {}): RequestInit {
  const headers = new Headers(init.headers);
  headers.set("cookie", user.cookie);
  headers.set("origin", ORIGIN);
  if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  return { ...init, headers };
}

export function url(path: string): string {
  return `${ORIGIN}${path}`;
}
