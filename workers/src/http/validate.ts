// Input validation at the edge: every body, query and param becomes a typed value or a 4xx with the zod issues.
import type { MiddlewareHandler, ValidationTargets } from "hono";
import { validator } from "hono/validator";
import type { z } from "zod";
import { AppError } from "../errors/app-error.ts";

function issuesOf(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.join("."), code: i.code, message: i.message }));
}

/** For input that arrives outside a validator (a raw body read for a signature check): zod failures become 400. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError("BAD_REQUEST", `Invalid ${where}`, { details: { issues: issuesOf(result.error) } });
  return result.data;
}

type Validated<T extends keyof ValidationTargets, S extends z.ZodType> = MiddlewareHandler<
  // biome-ignore lint/suspicious/noExplicitAny: Hono's env slot is generic here
  any,
  string,
  { in: { [K in T]: z.input<S> }; out: { [K in T]: z.output<S> } }
>;

/** JSON body: wrong content type is 415, malformed JSON 400 (from Hono), schema failures 400 with issues. */
export function jsonBody<S extends z.ZodType>(schema: S): Validated<"json", S> {
  return validator("json", (value, c) => {
    const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (!/^application\/([\w.-]+\+)?json$/.test(type)) {
      throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Expected Content-Type: application/json");
    }
    return parseOrThrow(schema, value, "request body");
  }) as unknown as Validated<"json", S>;
}

export function query<S extends z.ZodType>(schema: S): Validated<"query", S> {
  return validator("query", (value) => parseOrThrow(schema, value, "query string")) as unknown as Validated<"query", S>;
}

/** Params that fail validation are reported as 404: a malformed id names nothing that exists. */
export function params<S extends z.ZodType>(schema: S): Validated<"param", S> {
  return validator("param", (value) => {
    const result = schema.safeParse(value);
    if (!result.success) throw new AppError("NOT_FOUND", "Not found", { details: { issues: issuesOf(result.error) } });
    return result.data;
  }) as unknown as Validated<"param", S>;
}
