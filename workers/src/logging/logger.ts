// Structured JSON logs with request and tenant ids; secrets are redacted here, not by each caller.
export type LogLevel = "debug" | "info" | "warn" | "error";
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const SECRET_KEY = /(token|secret|password|authorization|cookie|api[-_]?key|encryption|private|signature|code_verifier|^code$)/i;
// Values that look like credentials even under an innocent key: bearer headers, our token prefixes, JWTs.
const SECRET_VALUE = /(Bearer\s+\S+|\bnc_[A-Za-z0-9_-]{20,}|\bnca_[A-Za-z0-9_-]{20,}|\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/g;

// drizzle puts bound parameters into its error messages ("params: …"); they can hold anything a user sent.
const QUERY_PARAMS = /\nparams: [^\n]*/g;

function redactError(err: Error, depth: number): Record<string, unknown> {
  const clean = (s: string | undefined) => (s === undefined ? undefined : redact(s.replace(QUERY_PARAMS, "\nparams: [redacted]"), depth + 1));
  const out: Record<string, unknown> = { name: err.name, message: clean(err.message), stack: clean(err.stack) };
  if (err.cause instanceof Error) out.cause = redactError(err.cause, depth + 1);
  else if (err.cause !== undefined) out.cause = redact(err.cause, depth + 1);
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") out.code = code;
  return out;
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return "[deep]";
  if (typeof value === "string") return value.replace(SECRET_VALUE, "[redacted]");
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return redactError(value, depth);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? "[redacted]" : redact(v, depth + 1);
    return out;
  }
  return value;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export type LogSink = (line: string) => void;

export function createLogger(base: Record<string, unknown> = {}, level: LogLevel = "info", sink: LogSink = console.log): Logger {
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < LEVELS[level]) return;
    const entry = redact({ time: new Date().toISOString(), level: lvl, msg, ...base, ...fields });
    sink(JSON.stringify(entry));
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    child: (fields) => createLogger({ ...base, ...fields }, level, sink),
  };
}
