// Reads the authenticated caller from a context where requireAuth has already run.
import type { Context } from "hono";
import { type Caller, callerOf } from "../audit/audit.ts";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv, Auth } from "./context.ts";

export function authOf(c: Context<AppEnv>): Auth {
  const auth = c.var.auth;
  if (!auth) throw new AppError("UNAUTHORIZED", "Sign in required");
  return auth;
}

export function caller(c: Context<AppEnv>): Caller {
  return callerOf(authOf(c));
}

/** The origin links are built on: PUBLIC_URL when set, else the request's own. */
export function publicOrigin(c: Context<AppEnv>): string {
  const configured = c.var.services.config.PUBLIC_URL;
  return configured ? new URL(configured).origin : new URL(c.req.url).origin;
}
