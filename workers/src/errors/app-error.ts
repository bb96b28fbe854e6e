// One error model for the whole Worker: domain code throws AppError, one onError renders it.
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const ERROR_CODES = [
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  "CONFLICT",
  "GONE",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "UPGRADE_REQUIRED",
  "RATE_LIMITED",
  "UPSTREAM",
  "MISCONFIGURED",
  /** Temporarily unable to answer (a dependency is warming up); always sent with Retry-After. */
  "UNAVAILABLE",
  "INTERNAL",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export function statusOf(code: ErrorCode): ContentfulStatusCode {
  switch (code) {
    case "BAD_REQUEST":
      return 400;
    case "UNAUTHORIZED":
      return 401;
    case "FORBIDDEN":
      return 403;
    case "NOT_FOUND":
      return 404;
    case "METHOD_NOT_ALLOWED":
      return 405;
    case "CONFLICT":
      return 409;
    case "GONE":
      return 410;
    case "PAYLOAD_TOO_LARGE":
      return 413;
    case "UNSUPPORTED_MEDIA_TYPE":
      return 415;
    case "UPGRADE_REQUIRED":
      return 426;
    case "RATE_LIMITED":
      return 429;
    case "UPSTREAM":
      return 502;
    case "MISCONFIGURED":
    case "UNAVAILABLE":
      return 503;
    case "INTERNAL":
      return 500;
  }
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  /** Extra response headers, e.g. Retry-After for RATE_LIMITED. */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: { details?: unknown; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = options.details ?? null;
    this.headers = options.headers ?? {};
  }
}

/** The wire shape of every error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: unknown; requestId: string };
}

export const notFound = (what = "Resource") => new AppError("NOT_FOUND", `${what} not found`);

/** The HTTP status an upstream API answered with, when a client put it in the error's details; else null. */
export function upstreamStatus(err: unknown): number | null {
  if (!(err instanceof AppError)) return null;
  const status = (err.details as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : null;
}
