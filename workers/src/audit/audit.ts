// Writes one audit row per state-changing action: who, what, target, result.
import { auditLog, newId } from "@nebula/schema";
import type { Db } from "../db/client.ts";
import type { Auth } from "../http/context.ts";

export interface AuditEvent {
  tenantId: string;
  action: string;
  targetType?: string;
  targetId?: string;
  result?: "success" | "failure";
  details?: Record<string, unknown>;
}

export interface Actor {
  id: string;
  name: string;
}

/** The caller as the audit log names them, plus the user behind a token. */
export interface Caller extends Actor {
  userId: string;
  userName: string;
}

export function callerOf(auth: Auth): Caller {
  const user = { userId: auth.user.id, userName: auth.user.name };
  if (auth.via === "token") return { id: `token:${auth.tokenId}`, name: `${auth.user.name} (API token)`, ...user };
  return { id: auth.user.id, name: auth.user.name, ...user };
}

// Accepts a transaction too, so the audit row commits with the change it describes.
type Writer = Pick<Db, "insert">;

export async function recordAudit(db: Writer, actor: Actor, event: AuditEvent, requestId?: string): Promise<void> {
  await db.insert(auditLog).values({
    id: newId("audit"),
    tenantId: event.tenantId,
    actorId: actor.id,
    actorName: actor.name,
    action: event.action,
    targetType: event.targetType ?? null,
    targetId: event.targetId ?? null,
    result: event.result ?? "success",
    details: event.details ?? null,
    requestId: requestId ?? null,
  });
}
