// Websocket endpoints answer a plain request with 426 in the one error shape, before any other work.
import { AppError } from "../errors/app-error.ts";

export function requireWebSocketUpgrade(upgradeHeader: string | undefined): void {
  if (upgradeHeader?.toLowerCase() !== "websocket") throw new AppError("UPGRADE_REQUIRED", "This endpoint only accepts a websocket upgrade");
}
