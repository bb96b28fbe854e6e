// Thousands of generated bad requests across every route: never a 5xx, always the JSON error shape.
import { exports } from "cloudflare:workers";
import { beforeAll, expect, it } from "vitest";
import { type SeededTenant, seedTenant, url, withDb } from "../support/seed.ts";
import { concretePath, tenantRoutes, userRoutes } from "./route-table.ts";
import { seededRandom } from "../../../test/seeded-random.ts";

const REQUESTS = 2500;


let lab: SeededTenant;
beforeAll(async () => {
  lab = await withDb((db) => seedTenant(db, "Fuzz"));
});

it(`answers ${REQUESTS} malformed requests without a 5xx`, async () => {
  const seed = Number(process.env.FUZZ_SEED ?? 20261125);
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const paths = [
    ...tenantRoutes().map((r) => ({ method: r.method, path: concretePath(r.path, lab.tenantId) })),
    ...userRoutes(),
    { method: "POST", path: "/interactions" },
    { method: "GET", path: "/healthz" },
    { method: "GET", path: "/auth/bootstrap" },
    { method: "GET", path: "/auth/discord/callback" },
    { method: "POST", path: "/auth/signout" },
  ];
  const garbage = () => {
    const chars = Array.from("abc{}[]\":,\\\u0000\u202e🦀%'<>;/.. \n\t");
    let s = "";
    const n = Math.floor(rand() * 64);
    for (let i = 0; i < n; i++) s += chars[Math.floor(rand() * chars.length)];
    return s;
  };
  /** Printable ASCII only: the fetch API refuses other header bytes before they reach the Worker. */
  const headerGarbage = () => garbage().replace(/[^\x20-\x7e]/g, "x");
  const bodies = [
    () => "{",
    () => "null",
    () => "[]",
    () => '{"name": 42}',
    () => JSON.stringify({ name: "x".repeat(500), extra: true }),
    () => JSON.stringify({ role: "god" }),
    () => JSON.stringify({ role: "owner", maxUses: -1, expiresInHours: 1e12 }),
    () => JSON.stringify({ token: garbage(), tenantId: "ten_' OR 1=1 --" }),
    () => `{"a":${"[".repeat(2000)}${"]".repeat(2000)}}`,
    () => "x".repeat(70 * 1024),
    () => garbage(),
    () => JSON.stringify({ __proto__: { admin: true }, constructor: { prototype: {} } }),
  ];
  const contentTypes = ["application/json", "text/plain", "application/x-www-form-urlencoded", "", "application/json; charset=utf-16", "multipart/form-data"];
  const queries = ["", "?limit=-1", "?limit=abc", "?cursor=%%", `?cursor=${garbage()}`, "?action=" + "a".repeat(500), "?token=x", "?code=1&state=2"];
  const mangle = (p: string) =>
    pick([
      () => p,
      () => p.replace(/(mem|inv|tok|agt)_0{16}/, `$1_${garbage()}`),
      () => p.replace(/ten_[0-9a-z]{16}/, pick(["ten_short", "..%2f..", "ten_" + "z".repeat(16), garbage()])),
      () => `${p}/${encodeURIComponent(garbage())}`,
    ])();

  const failures: string[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const target = pick(paths);
    const method = rand() < 0.85 ? target.method : pick(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
    const headers = new Headers();
    const ct = pick(contentTypes);
    if (ct) headers.set("content-type", ct);
    const who = rand();
    if (who < 0.6) {
      headers.set("cookie", lab.members[pick(["owner", "admin", "operator", "viewer"] as const)].cookie);
    } else if (who < 0.7) headers.set("cookie", `nc_session=${headerGarbage()}`);
    else if (who < 0.8) headers.set("authorization", pick(["Bearer ", `Bearer ${headerGarbage()}`, "Basic Zm9vOmJhcg==", `Bearer nc_${"A".repeat(43)}`]));
    if (rand() < 0.8) headers.set("origin", "http://localhost");
    if (target.path === "/interactions" && rand() < 0.5) {
      headers.set("x-signature-ed25519", headerGarbage());
      headers.set("x-signature-timestamp", headerGarbage());
    }
    const hasBody = method !== "GET" && method !== "HEAD" && rand() < 0.9;
    let path = mangle(target.path) + pick(queries);
    if (!path.startsWith("/")) path = `/${path}`;
    let res: Response;
    try {
      res = await exports.default.fetch(url(path), { method, headers, body: hasBody ? pick(bodies)() : undefined });
    } catch {
      // A URL the fetch API itself refuses never reaches the Worker.
      continue;
    }
    const text = await res.text();
    if (res.status >= 500) failures.push(`${method} ${path} -> ${res.status} ${text.slice(0, 200)}`);
    else if (res.status >= 400 && !res.headers.get("content-type")?.includes("application/json")) {
      failures.push(`${method} ${path} -> ${res.status} non-JSON error`);
    } else if (res.status >= 400 && /at .*\.ts:\d+|Error:/.test(text)) failures.push(`${method} ${path} -> stack trace leaked`);
  }
  expect(failures, `seed ${seed}`).toEqual([]);
}, 300_000);
