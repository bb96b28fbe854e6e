// /api/t/:tenantId/tokens: API tokens; the secret is in the create response only.
import { api, idPattern } from "@nebula/schema";
import { Hono } from "hono";
import { z } from "zod";
import { caller } from "../http/caller.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody, params } from "../http/validate.ts";
import { rateLimit } from "../rate-limit/rate-limit.ts";
import { authorize } from "../tenancy/access.ts";
import { createApiToken, listApiTokens, revokeApiToken } from "./api-tokens.ts";

const TokenParams = z.object({ id: z.string().regex(idPattern("apiToken")) });
const tokenCreateLimit = rateLimit({ name: "token-create", limit: 30, windowSeconds: 3600, key: (c) => c.var.auth?.user.id ?? "anon" });

export const apiTokenRoutes = new Hono<AppEnv>()
  .get("/tokens", authorize("tokens.read"), async (c) =>
    c.json(api.ApiTokenList.parse({ items: await listApiTokens(c.var.services.db, c.var.tenant.tenantId) })),
  )
  .post("/tokens", authorize("tokens.create"), tokenCreateLimit, jsonBody(api.CreateApiTokenRequest), async (c) => {
    const { db, now } = c.var.services;
    const created = await createApiToken(db, c.var.tenant, caller(c), c.req.valid("json"), now(), c.var.requestId);
    return c.json(api.CreatedApiToken.parse(created), 201);
  })
  .delete("/tokens/:id", authorize("tokens.revoke"), params(TokenParams), async (c) => {
    const { db, now } = c.var.services;
    await revokeApiToken(db, c.var.tenant, caller(c), c.req.valid("param").id, now(), c.var.requestId);
    return c.body(null, 204);
  });
