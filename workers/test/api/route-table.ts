// The route table as the app itself declares it: every tenant route and the permission its
// authorize() middleware checks. Security tests are generated from it, so a new route is covered at once.
import type { Permission } from "@nebula/schema";
import { app } from "../../src/index.ts";
import { permissionOfHandler } from "../../src/tenancy/access.ts";

export interface TenantRoute {
  method: string;
  path: string;
  permission: Permission | null;
}

export function tenantRoutes(): TenantRoute[] {
  const byKey = new Map<string, TenantRoute>();
  for (const r of app.routes) {
    if (r.method === "ALL" || !r.path.startsWith("/api/t/:tenantId")) continue;
    const key = `${r.method} ${r.path}`;
    const entry = byKey.get(key) ?? { method: r.method, path: r.path, permission: null };
    entry.permission ??= permissionOfHandler.get(r.handler) ?? null;
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

export function userRoutes(): { method: string; path: string }[] {
  const seen = new Set<string>();
  const out: { method: string; path: string }[] = [];
  for (const r of app.routes) {
    if (r.method === "ALL" || !r.path.startsWith("/api/") || r.path.startsWith("/api/t/")) continue;
    const key = `${r.method} ${r.path}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ method: r.method, path: r.path });
    }
  }
  return out;
}

/** Fills path params with well-formed ids that name nothing. */
export function concretePath(path: string, tenantId: string): string {
  return path
    .replace(":tenantId", tenantId)
    .replace(/\/members\/:id/, "/members/mem_0000000000000000")
    .replace(/\/invites\/:id/, "/invites/inv_0000000000000000")
    .replace(/\/tokens\/:id/, "/tokens/tok_0000000000000000")
    .replace(/\/agents\/:id/, "/agents/agt_0000000000000000")
    .replace(/:publicId/, "ovl0000000000000000000000000")
    .replace(/:(\w+)/g, "x0000000000000000");
}
