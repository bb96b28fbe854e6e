// Structured JSON log lines on stdout (journald keeps them); agent tokens are redacted here, not by each caller.
export type LogLevel = "debug" | "info" | "warn" | "error";
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const TOKEN = /\bnca_[A-Za-z0-9_-]{20,}/g;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

function plain(value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}

export function createLogger(level: LogLevel = "info", sink: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  const write = (lvl: LogLevel, msg: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS[lvl] < LEVELS[level]) return;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level: lvl, msg };
    for (const [k, v] of Object.entries(fields)) entry[k] = plain(v);
    sink(JSON.stringify(entry).replace(TOKEN, "[redacted]"));
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
  };
}

/** For tests and embedders that do not want output. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
