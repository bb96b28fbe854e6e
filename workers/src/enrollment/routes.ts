// Enrollment over HTTP: an admin makes a code under /api/t/:tenantId/agents/enrollments; the host's installer
// fetches /agent/install.sh and /agent/nebula-agent.mjs and trades the code at /agent/enroll (public, limited per IP);
// its --uninstall gives the token back at /agent/revoke.
import { api } from "@nebula/schema";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import installTemplate from "../../../agent/install/install.sh";
import { AppError } from "../errors/app-error.ts";
import { caller, publicOrigin } from "../http/caller.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody } from "../http/validate.ts";
import { checkRateLimit, clientIp, rateLimit, rateLimitFailures } from "../rate-limit/rate-limit.ts";
import { authorize } from "../tenancy/access.ts";
import { revokeOwnAgent } from "./agent-revoke.ts";
import { createEnrollment, enrollAgent } from "./enrollment.ts";
import { renderInstallScript } from "./install-script.ts";

export const enrollmentRoutes = new Hono<AppEnv>().post(
  "/agents/enrollments",
  authorize("agents.create"),
  jsonBody(api.CreateEnrollmentRequest),
  async (c) => {
    const { cache, db, now } = c.var.services;
    const created = await createEnrollment(cache, db, c.var.tenant.tenantId, caller(c), c.req.valid("json"), now(), c.var.requestId, publicOrigin(c));
    return c.json(api.CreatedEnrollment.parse(created), 201);
  },
);

/** Every attempt counts per IP: a code has 100 bits, and this keeps guessing at a few per minute anyway. */
const enrollLimit = rateLimit({ name: "agent-enroll", limit: 10, windowSeconds: 600 });

/**
 * Wrong codes (404) count once more, per IP, as rateLimitFailures counts bad signatures: past the limit a client
 * gets 429 instead of the answer, so a script trying codes learns nothing more for the rest of the window.
 */
function rejectedCodeLimit(limit: number, windowSeconds: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (c.res.status !== 404) return;
    const { cache, logger, now } = c.var.services;
    const key = `failures:agent-enroll:${clientIp(c)}`;
    const result = await checkRateLimit(cache, { key, limit, windowSeconds }, now().getTime()).catch((err: unknown) => {
      logger.warn("failure limiter unavailable", { limiter: "agent-enroll", err });
      return null;
    });
    if (result && !result.allowed) {
      throw new AppError("RATE_LIMITED", `Too many rejected enrollment codes; retry in ${result.resetSeconds} s`, {
        headers: { "Retry-After": String(result.resetSeconds) },
      });
    }
  };
}

/** The bundle is a static asset of the web build (web/dist/agent/nebula-agent.mjs); /agent/* reaches the Worker first. */
async function agentBundle(c: Context<AppEnv>): Promise<Response> {
  const asset = await c.env.ASSETS.fetch(new Request(new URL("/agent/nebula-agent.mjs", c.req.url)));
  // A missing file comes back as the app's index.html (single-page fallback): never hand that to node.
  if (!asset.ok || !/javascript/.test(asset.headers.get("content-type") ?? "")) {
    throw new AppError("NOT_FOUND", "The agent bundle is not part of this deployment; build it with `npm run build:web` and deploy again");
  }
  const headers = new Headers({ "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" });
  const etag = asset.headers.get("etag");
  if (etag) headers.set("etag", etag);
  return new Response(asset.body, { headers });
}

export const agentInstallRoutes = new Hono<AppEnv>()
  .get("/install.sh", (c) => {
    c.header("content-type", "text/x-shellscript; charset=utf-8");
    c.header("cache-control", "no-store");
    return c.body(renderInstallScript(installTemplate, publicOrigin(c)));
  })
  .get("/nebula-agent.mjs", agentBundle)
  .post("/enroll", enrollLimit, rejectedCodeLimit(5, 3600), jsonBody(api.EnrollRequest), async (c) => {
    const { cache, db, now } = c.var.services;
    const enrolled = await enrollAgent(cache, db, c.req.valid("json"), now(), c.var.requestId);
    return c.json(api.Enrolled.parse({ ...enrolled, edgeUrl: publicOrigin(c) }), 201);
  })
  // Authenticated by the agent's own token; rejected tokens count per IP (a good one never touches the cache).
  .post("/revoke", rateLimitFailures({ name: "agent-revoke", limit: 10, windowSeconds: 600 }), async (c) => {
    const { db, now } = c.var.services;
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    await revokeOwnAgent(db, c.env.AGENT_HUB, bearer, now(), c.var.requestId);
    return c.body(null, 204);
  });
