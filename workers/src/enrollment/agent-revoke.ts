// An agent revoking itself: `install.sh --uninstall` presents the agent's own token once more, so an uninstalled
// host leaves no live credential behind. The token is marked revoked with an audit row, and its hub socket is closed.
import { agentWire, agents } from "@nebula/schema";
import { and, eq, isNull } from "drizzle-orm";
import { recordAudit } from "../audit/audit.ts";
import { sha256Hex } from "../crypto/tokens.ts";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import { AppError } from "../errors/app-error.ts";

/** Unknown, malformed and already revoked tokens read the same: a revoked token proves nothing any more. */
const invalidToken = () => new AppError("UNAUTHORIZED", "Invalid or revoked agent token");

export async function revokeOwnAgent(db: Db, hubs: Env["AGENT_HUB"], token: string | undefined, now: Date, requestId: string): Promise<{ agentId: string }> {
  // A malformed token never reaches the database.
  if (!token || !agentWire.AGENT_TOKEN_PATTERN.test(token)) throw invalidToken();
  const tokenHash = await sha256Hex(token);
  const revoked = await db.transaction(async (tx) => {
    // One conditional update: of two uninstalls racing with one token, exactly one revokes and audits.
    const [row] = await tx
      .update(agents)
      .set({ revokedAt: now })
      .where(and(eq(agents.tokenHash, tokenHash), isNull(agents.revokedAt)))
      .returning({ id: agents.id, tenantId: agents.tenantId, name: agents.name });
    if (!row) return null;
    await recordAudit(
      tx,
      { id: `agent:${row.id}`, name: `${row.name} (agent uninstall)` },
      { tenantId: row.tenantId, action: "agent.revoke", targetType: "agent", targetId: row.id, details: { name: row.name, via: "uninstall" } },
      requestId,
    );
    return row;
  });
  if (!revoked) throw invalidToken();
  // The service was stopped first, but a copy of the agent still running elsewhere is cut off now, not at its reconnect.
  await hubs.getByName(revoked.id).disconnect("revoked");
  return { agentId: revoked.id };
}
