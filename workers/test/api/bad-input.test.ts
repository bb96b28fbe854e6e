// Bad input gets a clear 4xx JSON error and writes nothing.
import { exports } from "cloudflare:workers";
import { apiTokens } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { type SeededTenant, asUser, seedTenant, url, withDb } from "../support/seed.ts";

let lab: SeededTenant;
beforeAll(async () => {
  lab = await withDb((db) => seedTenant(db, "Bad input"));
});

const tokensPath = () => `/api/t/${lab.tenantId}/tokens`;
const post = (body: BodyInit, contentType = "application/json") =>
  exports.default.fetch(url(tokensPath()), asUser(lab.owner, { method: "POST", body, headers: { "content-type": contentType } }));

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/json");
  const body = await res.json<{ error: { code: string; message: string; requestId: string; details: unknown } }>();
  expect(body.error.code).toBe(code);
  expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
  expect(body.error.message).not.toMatch(/at .*\.ts/);
  return body.error;
}

describe("request bodies", () => {
  it("malformed JSON is a 400", async () => {
    await expectError(await post("{nope"), 400, "BAD_REQUEST");
  });
  it("wrong content type is a 415", async () => {
    await expectError(await post("name=x", "application/x-www-form-urlencoded"), 415, "UNSUPPORTED_MEDIA_TYPE");
  });
  it("bodies over 64 KiB are a 413", async () => {
    await expectError(await post(JSON.stringify({ name: "x".repeat(70_000) })), 413, "PAYLOAD_TOO_LARGE");
  });
  it("unknown fields are rejected by strict schemas, with the zod issues in details", async () => {
    const error = await expectError(await post(JSON.stringify({ name: "ok", admin: true })), 400, "BAD_REQUEST");
    expect(JSON.stringify(error.details)).toContain("admin");
  });
  it("nothing was written by any of them", async () => {
    const rows = await withDb((db) => db.select().from(apiTokens).where(eq(apiTokens.tenantId, lab.tenantId)));
    expect(rows).toEqual([]);
  });
});

describe("ids and paths", () => {
  it("a malformed id is a 404, like a missing one", async () => {
    const res = await exports.default.fetch(url(`${tokensPath()}/not-an-id`), asUser(lab.owner, { method: "DELETE" }));
    await expectError(res, 404, "NOT_FOUND");
  });
  it("an unknown route is a JSON 404", async () => {
    await expectError(await exports.default.fetch(url("/api/nope"), asUser(lab.owner)), 404, "NOT_FOUND");
  });
  it("a request id is echoed on every response", async () => {
    const res = await exports.default.fetch(url("/healthz"));
    expect(res.headers.get("x-request-id")).toMatch(/.+/);
  });
});

describe("health", () => {
  it("reports database and cache status", async () => {
    const res = await exports.default.fetch(url("/healthz"));
    expect(res.status).toBe(200);
    const body = await res.json<{ status: string; database: { ok: boolean }; cache: { ok: boolean; adapter: string } }>();
    expect(body).toMatchObject({ status: "ok", database: { ok: true }, cache: { ok: true, adapter: "durable-object" } });
  });
  it("sends security headers", async () => {
    const res = await exports.default.fetch(url("/healthz"));
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
  });
});
