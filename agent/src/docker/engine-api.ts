// Read-only GETs to the Docker Engine API over its unix socket with node:http, for what runs every metrics interval
// (list, one-shot stats, inspect): dockerode and its dependencies cost ~2.6 MB of the agent's memory at rest.
import http from "node:http";

/** Docker answered with an error status (404: no such container), as dockerode reports it. */
export class EngineApiError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.name = "EngineApiError";
    this.statusCode = statusCode;
  }
}

/** GET `path` (e.g. `/containers/json?all=1`) and parse Docker's JSON answer; the socket's errors (ENOENT, EACCES) pass through. */
export function engineGet<T>(socketPath: string, path: string, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const req = http.get({ socketPath, path, signal, headers: { accept: "application/json" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const status = res.statusCode ?? 0;
        if (status >= 400) {
          let message = text.trim();
          try {
            message = String((JSON.parse(text) as { message?: unknown }).message ?? message);
          } catch {
            // not JSON: Docker's text as it came
          }
          reject(new EngineApiError(status, message || `HTTP ${status}`));
          return;
        }
        try {
          resolve(JSON.parse(text) as T);
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on("error", reject);
  });
}
