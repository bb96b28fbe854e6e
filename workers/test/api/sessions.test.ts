// Sessions as a user meets them: they slide forward while used, expire when not, and end on sign-out,
// one browser or all of them.
import { exports } from "cloudflare:workers";
import { sessions } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createSession, SESSION_TTL_MS } from "../../src/auth/sessions.ts";
import { asUser, seedUser, url, withDb } from "../support/seed.ts";

const me = (cookie: string) => exports.default.fetch(url("/api/me"), { headers: { cookie } });

describe("sessions", () => {
  it("slides the expiry forward when a session is used after a day, and re-sends the cookie", async () => {
    const user = await withDb((db) => seedUser(db));
    const threeDaysIn = new Date(Date.now() - 3 * 86_400_000);
    const { token, id } = await withDb((db) => createSession(db, { userId: user.userId, activeTenantId: null, now: threeDaysIn }));
    const res = await me(`nc_session=${token}`);
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toContain(`nc_session=${token}`);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const [row] = await withDb((db) => db.select().from(sessions).where(eq(sessions.id, id)));
    expect(row?.expiresAt.getTime()).toBeGreaterThan(Date.now() + SESSION_TTL_MS - 60_000);

    // A fresh session is not rewritten on every request.
    const again = await me(`nc_session=${token}`);
    expect(again.headers.get("set-cookie")).toBeNull();
  });

  it("refuses an expired session", async () => {
    const user = await withDb((db) => seedUser(db));
    const longAgo = new Date(Date.now() - SESSION_TTL_MS - 60_000);
    const { token } = await withDb((db) => createSession(db, { userId: user.userId, activeTenantId: null, now: longAgo }));
    expect((await me(`nc_session=${token}`)).status).toBe(401);
  });

  it("only the SHA-256 of the token is stored", async () => {
    const user = await withDb((db) => seedUser(db));
    const rows = await withDb((db) => db.select().from(sessions).where(eq(sessions.userId, user.userId)));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]?.tokenHash).not.toContain(user.sessionToken);
  });

  it("sign out ends this browser's session only; sign out everywhere ends them all", async () => {
    const laptop = await withDb((db) => seedUser(db));
    const phone = await withDb(async (db) => {
      const s = await createSession(db, { userId: laptop.userId, activeTenantId: null, now: new Date() });
      return { ...laptop, sessionToken: s.token, cookie: `nc_session=${s.token}` };
    });
    const tablet = await withDb(async (db) => {
      const s = await createSession(db, { userId: laptop.userId, activeTenantId: null, now: new Date() });
      return { ...laptop, sessionToken: s.token, cookie: `nc_session=${s.token}` };
    });

    const out = await exports.default.fetch(url("/auth/signout"), asUser(laptop, { method: "POST" }));
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/nc_session=;/);
    expect((await me(laptop.cookie)).status).toBe(401);
    expect((await me(phone.cookie)).status).toBe(200);

    // Cross-site sign-out attempts are refused (CSRF), and change nothing.
    const forged = await exports.default.fetch(url("/auth/signout-all"), { method: "POST", headers: { cookie: phone.cookie, origin: "https://evil.example" } });
    expect(forged.status).toBe(403);
    expect((await me(tablet.cookie)).status).toBe(200);

    const all = await exports.default.fetch(url("/auth/signout-all"), asUser(phone, { method: "POST" }));
    expect(all.status).toBe(204);
    expect((await me(phone.cookie)).status).toBe(401);
    expect((await me(tablet.cookie)).status).toBe(401);
  });
});
