// Chat command cooldowns in the cache: a global one per command and one per chatter, each a key that lives for the
// cooldown (setIfAbsent is atomic, so two messages racing through two isolates cannot both pass).
import type { Cache } from "../cache/cache.ts";
import type { ChatCommand } from "./command-engine.ts";

const key = (tenantId: string, commandId: string, who: string) => `chatbot:cooldown:${tenantId}:${commandId}:${who}`;

/** True when neither cooldown is running; both are then started. */
export async function claimCooldowns(cache: Cache, tenantId: string, command: Pick<ChatCommand, "id" | "userCooldownSeconds" | "globalCooldownSeconds">, userId: string): Promise<boolean> {
  const userKey = key(tenantId, command.id, `user:${userId}`);
  if (command.userCooldownSeconds > 0 && !(await cache.setIfAbsent(userKey, "1", command.userCooldownSeconds))) return false;
  if (command.globalCooldownSeconds > 0 && !(await cache.setIfAbsent(key(tenantId, command.id, "global"), "1", command.globalCooldownSeconds))) {
    // The global cooldown refused: this use did not happen, so the chatter's own cooldown must not start.
    if (command.userCooldownSeconds > 0) await cache.delete(userKey);
    return false;
  }
  return true;
}
