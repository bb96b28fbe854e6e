// Websocket endpoints answer a plain request with 426 in the one error shape, before any other work.
import { AppError } from "../errors/app-error.ts";

export function requireWebSocketUpgrade(upgradeHeader: string | undefined): void {
  if (upgradeHeader?.toLowerCase() !== "websocket") throw new AppError("UPGRADE_REQUIRED", "This endpoint only accepts a websocket upgrade");
}

/**
 * A Durable Object's upgrade response, re-made with mutable headers: responses from a stub are immutable,
 * and the app's middleware (request id, security headers) sets headers after the handler.
 */
export function relayUpgrade(res: Response): Response {
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers: res.headers, webSocket: res.webSocket });
}
