// /auth/*: the bootstrap link, Discord sign-in (OAuth 2 + PKCE), sign out and sign out everywhere.
import { memberships } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { timingSafeEqual } from "../crypto/tokens.ts";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { query } from "../http/validate.ts";
import { rateLimit } from "../rate-limit/rate-limit.ts";
import { authenticate, checkOrigin, requireAuth } from "./authenticate.ts";
import { bootstrapOwner } from "./bootstrap.ts";
import { clearSessionCookie, setFlowCookie, setSessionCookie, takeFlowCookie } from "./cookies.ts";
import { finishDiscordSignIn, startDiscordSignIn, upsertDiscordUser } from "./discord-sign-in.ts";
import { createSession, revokeAllSessions, revokeSession } from "./sessions.ts";

const signInLimit = rateLimit({ name: "sign-in", limit: 20, windowSeconds: 60 });

const ReturnTo = z
  .string()
  .max(300)
  .regex(/^\/(?![/\\])[\w\-./?=&%]*$/, "must be a path on this site")
  .optional();

function redirectUri(c: { req: { url: string } }, publicUrl: string | undefined): string {
  return `${publicUrl ? new URL(publicUrl).origin : new URL(c.req.url).origin}/auth/discord/callback`;
}

export const authRoutes = new Hono<AppEnv>()
  .get("/bootstrap", signInLimit, query(z.object({ token: z.string().max(200).optional() })), async (c) => {
    const { services } = c.var;
    const expected = services.config.BOOTSTRAP_TOKEN;
    const given = c.req.valid("query").token ?? "";
    if (!expected || !timingSafeEqual(given, expected)) return c.redirect("/?error=bootstrap_invalid");
    const result = await bootstrapOwner(services.db, {
      now: services.now(),
      userAgent: c.req.header("user-agent") ?? null,
      requestId: c.var.requestId,
    });
    if (!result.ok) return c.redirect("/?error=bootstrap_used");
    setSessionCookie(c, result.session.token, result.session.expiresAt);
    services.logger.info("owner bootstrapped", { tenantId: result.tenantId });
    return c.redirect("/");
  })
  .get("/discord", signInLimit, query(z.object({ returnTo: ReturnTo })), async (c) => {
    const { config } = c.var.services;
    const { url, state, verifier } = startDiscordSignIn(config, redirectUri(c, config.PUBLIC_URL));
    setFlowCookie(c, "nc_oauth_state", state);
    setFlowCookie(c, "nc_oauth_verifier", verifier);
    setFlowCookie(c, "nc_oauth_return", c.req.valid("query").returnTo ?? "/");
    return c.redirect(url.toString());
  })
  .get(
    "/discord/callback",
    signInLimit,
    query(z.object({ code: z.string().max(500).optional(), state: z.string().max(200).optional(), error: z.string().max(200).optional() })),
    async (c) => {
      const { services } = c.var;
      const q = c.req.valid("query");
      const state = takeFlowCookie(c, "nc_oauth_state");
      const verifier = takeFlowCookie(c, "nc_oauth_verifier");
      const returnTo = ReturnTo.safeParse(takeFlowCookie(c, "nc_oauth_return")).data ?? "/";
      if (q.error) {
        // access_denied is the user pressing Cancel; anything else (invalid_scope, server_error…) is a fault to look into.
        if (q.error === "access_denied") return c.redirect("/?error=discord_denied");
        services.logger.warn("discord sign-in returned an error", { error: q.error });
        return c.redirect("/?error=oauth_failed");
      }
      if (!q.code || !q.state || !state || !verifier || !timingSafeEqual(q.state, state)) {
        return c.redirect("/?error=oauth_state");
      }
      let profile: Awaited<ReturnType<typeof finishDiscordSignIn>>;
      try {
        profile = await finishDiscordSignIn(services.config, redirectUri(c, services.config.PUBLIC_URL), q.code, verifier);
      } catch (err) {
        services.logger.warn("discord sign-in failed", { err });
        return c.redirect("/?error=oauth_failed");
      }
      const now = services.now();
      const userId = await upsertDiscordUser(services.db, profile, now);
      const [first] = await services.db
        .select({ tenantId: memberships.tenantId })
        .from(memberships)
        .where(eq(memberships.userId, userId))
        .orderBy(memberships.createdAt)
        .limit(1);
      const session = await createSession(services.db, {
        userId,
        activeTenantId: first?.tenantId ?? null,
        userAgent: c.req.header("user-agent") ?? null,
        now,
      });
      setSessionCookie(c, session.token, session.expiresAt);
      return c.redirect(returnTo);
    },
  )
  .post("/signout", checkOrigin, authenticate, async (c) => {
    const auth = c.var.auth;
    if (auth?.via === "session") await revokeSession(c.var.services.db, auth.sessionId);
    clearSessionCookie(c);
    return c.body(null, 204);
  })
  .post("/signout-all", checkOrigin, authenticate, requireAuth, async (c) => {
    const auth = c.var.auth;
    if (auth?.via !== "session") throw new AppError("FORBIDDEN", "Sign out everywhere needs a browser session");
    await revokeAllSessions(c.var.services.db, auth.user.id);
    clearSessionCookie(c);
    return c.body(null, 204);
  });
