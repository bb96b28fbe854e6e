// The app factory: request id, security headers, body limit, services, one onError and notFound.
// The Worker entry and every test build the app through newApp().
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { ConfigError, loadConfig } from "./config/config.ts";
import { AppError, type ErrorBody, type ErrorCode, statusOf } from "./errors/app-error.ts";
import type { AppEnv } from "./http/context.ts";
import { createLogger } from "./logging/logger.ts";
import { afterResponse, baseLogger, createServices } from "./services/services.ts";

export const MAX_BODY_BYTES = 64 * 1024;
/** Routes that install their own limit, larger than the default (GitHub push payloads often pass 64 KB; Plex attaches a poster). */
export const OWN_BODY_LIMIT_PREFIXES = ["/webhooks/github/", "/webhooks/plex/"];

/** The body limit with the one error model: 413 PAYLOAD_TOO_LARGE as JSON. */
export function limitBody(maxSize: number): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new AppError("PAYLOAD_TOO_LARGE", `Request body is larger than ${maxSize} bytes`);
    },
  });
}

function httpCode(status: number): ErrorCode {
  if (status === 400) return "BAD_REQUEST";
  if (status === 401) return "UNAUTHORIZED";
  if (status === 403) return "FORBIDDEN";
  if (status === 404) return "NOT_FOUND";
  if (status === 405) return "METHOD_NOT_ALLOWED";
  if (status === 413) return "PAYLOAD_TOO_LARGE";
  if (status === 415) return "UNSUPPORTED_MEDIA_TYPE";
  if (status === 429) return "RATE_LIMITED";
  return status < 500 ? "BAD_REQUEST" : "INTERNAL";
}

export function errorBody(code: ErrorCode, message: string, details: unknown, reqId: string): ErrorBody {
  return { error: { code, message, details: details ?? null, requestId: reqId } };
}

export function newApp() {
  const app = new Hono<AppEnv>();

  app.use(requestId({ headerName: "X-Request-Id", limitLength: 64 }));
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        // Overlays (the OBS renderer and the editor's preview) show images and play sounds from wherever the streamer hosts them.
        imgSrc: ["'self'", "data:", "https://cdn.discordapp.com", "https:", "http:"],
        mediaSrc: ["'self'", "https:", "http:"],
        connectSrc: ["'self'", "ws:", "wss:"],
        frameAncestors: ["'none'"],
      },
      crossOriginResourcePolicy: "same-origin",
    }),
  );
  const defaultBodyLimit = limitBody(MAX_BODY_BYTES);
  app.use((c, next) => (OWN_BODY_LIMIT_PREFIXES.some((p) => c.req.path.startsWith(p)) ? next() : defaultBodyLimit(c, next)));
  app.use(async (c, next) => {
    const config = loadConfig(c.env);
    const logger = baseLogger(config).child({ requestId: c.get("requestId") });
    const scope = createServices(c.env, config, logger);
    c.set("services", scope.services);
    c.set("auth", null);
    try {
      await next();
    } finally {
      afterResponse(c, scope.dispose());
    }
  });

  app.onError((err, c) => {
    const reqId = c.var.requestId ?? "unknown";
    if (err instanceof AppError) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return c.json(errorBody(err.code, err.message, err.details, reqId), statusOf(err.code));
    }
    if (err instanceof ConfigError) {
      createLogger({ requestId: reqId }).error("configuration invalid", { problems: err.problems });
      return c.json(errorBody("MISCONFIGURED", err.message, { problems: err.problems }, reqId), 503);
    }
    if (err instanceof HTTPException && err.status < 500) {
      const code = httpCode(err.status);
      return c.json(errorBody(code, err.message || code, null, reqId), statusOf(code));
    }
    const logger = c.var.services?.logger ?? createLogger({ requestId: reqId });
    logger.error("unhandled error", { err, path: c.req.path, method: c.req.method });
    return c.json(errorBody("INTERNAL", "Internal error", null, reqId), 500);
  });

  app.notFound((c) => c.json(errorBody("NOT_FOUND", "Not found", null, c.var.requestId ?? "unknown"), 404));

  return app;
}

export type App = ReturnType<typeof newApp>;
