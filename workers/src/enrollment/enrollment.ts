// Agent enrollment without a table: an admin's code lives only as its SHA-256 in the Cache for 15 minutes, and the
// installer trades it once (an atomic take) for a new agent and its token, made by the same createAgent as the dashboard.
import { type api, can } from "@nebula/schema";
import { z } from "zod";
import { createAgent } from "../agents/agents.ts";
import { type Actor, recordAudit } from "../audit/audit.ts";
import type { Cache } from "../cache/cache.ts";
import { sha256Hex } from "../crypto/tokens.ts";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { roleIn } from "../tenancy/access.ts";
import { newEnrollmentCode, normalizeEnrollmentCode } from "./enrollment-code.ts";

export const ENROLLMENT_TTL_SECONDS = 15 * 60;

/** Enrollment happens on the host, signed in as nobody: the audit names the system and records who made the code. */
export const ENROLLMENT_ACTOR: Actor = { id: "system", name: "system (agent enrollment)" };

/** What the cache holds under the code's hash; expiresAt is checked too, so the 15 minutes never depend on cache TTL rounding. */
const PendingEnrollment = z.object({
  tenantId: z.string(),
  name: z.string(),
  createdBy: z.object({ id: z.string(), name: z.string(), userId: z.string() }),
  expiresAt: z.number(),
});
type PendingEnrollment = z.infer<typeof PendingEnrollment>;

function readPending(raw: string): PendingEnrollment | null {
  try {
    return PendingEnrollment.parse(JSON.parse(raw));
  } catch {
    return null;
  }
}

/** The cache key of a code: only its hash, so a cache dump or a Redis MONITOR shows no usable code. */
export async function enrollmentKey(canonicalCode: string): Promise<string> {
  return `enroll:${await sha256Hex(canonicalCode)}`;
}

export function installCommand(origin: string, code: string): string {
  return `curl -fsSL ${origin}/agent/install.sh | sudo bash -s -- --enroll ${code}`;
}

export interface Creator extends Actor {
  /** The user behind the caller (a token's owner), whose role is checked again when the code is used. */
  userId: string;
}

export async function createEnrollment(
  cache: Cache,
  db: Db,
  tenantId: string,
  creator: Creator,
  input: z.output<typeof api.CreateEnrollmentRequest>,
  now: Date,
  requestId: string,
  origin: string,
): Promise<api.CreatedEnrollment> {
  const code = newEnrollmentCode();
  const expiresAt = now.getTime() + ENROLLMENT_TTL_SECONDS * 1000;
  const pending: PendingEnrollment = {
    tenantId,
    name: input.name,
    createdBy: { id: creator.id, name: creator.name, userId: creator.userId },
    expiresAt,
  };
  const canonical = normalizeEnrollmentCode(code) ?? code;
  await cache.set(await enrollmentKey(canonical), JSON.stringify(pending), { ttlSeconds: ENROLLMENT_TTL_SECONDS });
  const expires = new Date(expiresAt).toISOString();
  await recordAudit(
    db,
    creator,
    { tenantId, action: "agent.enrollment_create", targetType: "enrollment", details: { name: input.name, expiresAt: expires } },
    requestId,
  );
  return { code, expiresAt: expires, installCommand: installCommand(origin, code) };
}

/** Every way a code can fail (unknown, used, expired, malformed, its creator no longer an admin) reads the same. */
const unknownCode = () => new AppError("NOT_FOUND", "Unknown, used or expired enrollment code");

export async function enrollAgent(
  cache: Cache,
  db: Db,
  input: api.EnrollRequest,
  now: Date,
  requestId: string,
): Promise<{ agentId: string; token: string }> {
  const canonical = normalizeEnrollmentCode(input.code);
  if (!canonical) throw unknownCode();
  const key = await enrollmentKey(canonical);
  // The take is the single-use guarantee: of two installers racing with one code, exactly one gets the entry.
  const raw = await cache.take(key);
  const pending = raw === null ? null : readPending(raw);
  if (!pending || pending.expiresAt <= now.getTime()) throw unknownCode();

  // Access is read live, as for every request: a creator demoted or removed since loses the codes they made.
  const role = await roleIn(db, pending.tenantId, pending.createdBy.userId);
  if (!role || !can(role, "agents.create")) throw unknownCode();

  let created: api.CreatedAgent;
  try {
    created = await createAgent(db, { tenantId: pending.tenantId, role, scopes: null }, ENROLLMENT_ACTOR, { name: pending.name }, now, requestId);
  } catch (err) {
    // Nothing was made: give the code back for the rest of its life, so a Postgres hiccup does not burn it.
    const left = Math.floor((pending.expiresAt - now.getTime()) / 1000);
    if (left > 0 && raw) await cache.set(key, raw, { ttlSeconds: left }).catch(() => {});
    throw err;
  }
  await recordAudit(
    db,
    ENROLLMENT_ACTOR,
    {
      tenantId: pending.tenantId,
      action: "agent.enrolled",
      targetType: "agent",
      targetId: created.agent.id,
      details: { name: pending.name, hostname: input.hostname, os: input.os, arch: input.arch, codeCreatedBy: { id: pending.createdBy.id, name: pending.createdBy.name } },
    },
    requestId,
  );
  return { agentId: created.agent.id, token: created.token };
}
