// POST /webhooks/github/:hookId, as a domain function: find the hook (cache first), verify X-Hub-Signature-256
// over the raw body BEFORE anything parses it, de-duplicate by X-GitHub-Delivery, answer ping, parse only what a
// feed uses, filter, and hand the embed to the tenant's Outbox with the delivery id as its idempotency key.
// GitHub waits 10 s for an answer; nothing here waits on Postgres once the hook is warm. What needs Postgres (the
// delivery log, deploy-on-push) is returned as `after`, to run once GitHub has its answer.
import type { api } from "@nebula/schema";
import { verify } from "@octokit/webhooks-methods";
import { z } from "zod";
import type { Cache } from "../cache/cache.ts";
import type { Config } from "../config/config.ts";
import type { KeyRing } from "../crypto/secret-box.ts";
import type { Db } from "../db/client.ts";
import { openDb } from "../db/client.ts";
import type { Env } from "../env.ts";
import { AppError } from "../errors/app-error.ts";
import { parseOrThrow } from "../http/validate.ts";
import type { Logger } from "../logging/logger.ts";
import { getOutboxByName } from "../outbox/outbox.ts";
import { type DeployReport, deployOnPush } from "./deploy.ts";
import { githubEmbed } from "./embeds.ts";
import { type GithubPayload, PingPayload, activityOf, githubPayloadSchema, isReportedEvent } from "./events.ts";
import { decide } from "./filters.ts";
import { type HookMaterial, hookMaterial, openDestination, openFeedSecret } from "./hook-material.ts";
import { recordDelivery } from "./deliveries.ts";

/** GitHub allows payloads up to 25 MB; a push of 20 commits is well under this, and more is not worth reading. */
export const MAX_GITHUB_BODY_BYTES = 1024 * 1024;
/** GitHub retries nothing by itself, but "Redeliver" in its UI resends the same delivery id, hours later. */
export const DELIVERY_DEDUP_SECONDS = 24 * 3600;

const SIGNATURE = /^sha256=[0-9a-f]{64}$/;
const Headers = z.object({
  event: z.string().regex(/^[a-z_]{1,60}$/, "must be a GitHub event name"),
  deliveryId: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, "must be GitHub's delivery id"),
});

export interface ReceiveDeps {
  env: Env;
  config: Config;
  cache: Cache;
  db: () => Db;
  keyRing: () => Promise<KeyRing>;
  logger: Logger;
  now: () => Date;
  requestId: string;
}

export interface HookRequest {
  hookId: string;
  event: string | undefined;
  deliveryId: string | undefined;
  signature: string | undefined;
  body: Uint8Array;
}

export interface Received {
  httpStatus: 200 | 202;
  answer: api.GithubHookAnswer;
  /** Work for after the answer (delivery log, deploys); it opens its own Postgres connection. */
  after: (() => Promise<void>) | null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("BAD_REQUEST", "Malformed JSON in request body");
  }
}

const dedupKey = (feedId: string, deliveryId: string) => `github:delivery:${feedId}:${deliveryId}`;

export async function receiveGithubDelivery(deps: ReceiveDeps, req: HookRequest): Promise<Received> {
  const material = await hookMaterial(deps.cache, deps.db, req.hookId);
  if (!material) throw new AppError("NOT_FOUND", "Unknown GitHub hook");
  // GitHub: "sha256=" + HMAC-SHA256(secret, raw body), hex. Checked on the raw bytes before any parsing.
  if (!req.signature || !SIGNATURE.test(req.signature)) throw new AppError("UNAUTHORIZED", "Missing or malformed X-Hub-Signature-256");
  const ring = await deps.keyRing();
  const text = new TextDecoder().decode(req.body);
  const valid = await verify(await openFeedSecret(ring, material), text, req.signature).catch(() => false);
  if (!valid) throw new AppError("UNAUTHORIZED", "Invalid request signature");
  const { event, deliveryId } = parseOrThrow(Headers, { event: req.event, deliveryId: req.deliveryId }, "GitHub delivery headers");

  let first: boolean;
  try {
    first = await deps.cache.setIfAbsent(dedupKey(material.feedId, deliveryId), "1", DELIVERY_DEDUP_SECONDS);
  } catch (err) {
    // Without the de-duplication record we could post twice: refuse, and GitHub's Redeliver resends it later.
    deps.logger.warn("github delivery: de-duplication unavailable", { tenantId: material.tenantId, feedId: material.feedId, err });
    throw new AppError("UPSTREAM", "Temporarily unable to accept deliveries; redeliver later", { headers: { "Retry-After": "30" } });
  }
  if (!first) return { httpStatus: 202, answer: { status: "duplicate" }, after: null };
  try {
    return await handle(deps, ring, material, event, deliveryId, text);
  } catch (err) {
    // Not handled: let a redelivery through.
    await deps.cache.delete(dedupKey(material.feedId, deliveryId)).catch(() => {});
    throw err;
  }
}

interface Outcome {
  status: api.GithubDeliveryStatus;
  detail?: string;
  action?: string | null;
  repository?: string | null;
}

async function handle(deps: ReceiveDeps, ring: KeyRing, material: HookMaterial, event: string, deliveryId: string, text: string): Promise<Received> {
  const log = (o: Outcome, deploy?: (db: Db) => Promise<DeployReport>): Received["after"] => () =>
    afterAnswer(deps, material, { deliveryId, event, ...o }, deploy);

  if (event === "ping") {
    const ping = parseOrThrow(PingPayload, parseJson(text), "ping payload");
    return { httpStatus: 200, answer: { status: "ping", detail: ping.zen ?? "pong" }, after: log({ status: "ping" }) };
  }
  if (!material.enabled) return { httpStatus: 202, answer: { status: "disabled" }, after: log({ status: "disabled" }) };
  if (!isReportedEvent(event)) {
    return { httpStatus: 202, answer: { status: "ignored", detail: `${event} events are not reported` }, after: log({ status: "ignored", detail: "event not reported" }) };
  }
  const parsed = { event, payload: parseOrThrow(githubPayloadSchema(event), parseJson(text), `${event} payload`) } as GithubPayload;
  const activity = activityOf(parsed);
  const facts = { action: activity.action, repository: activity.repository };
  const push = parsed.event === "push" ? parsed.payload : undefined;
  const destination = await openDestination(ring, material);
  const deploy = push && material.deployRules.length > 0 ? (db: Db) => deployOnPush({ ...deployBase(deps), db, destination }, material, push, deliveryId) : undefined;

  const decision = decide(activity, material.filters, push);
  if (!decision.report) return { httpStatus: 202, answer: { status: "filtered", detail: decision.reason }, after: log({ status: "filtered", detail: decision.reason, ...facts }, deploy) };
  if (!destination) {
    deps.logger.warn("github feed has no usable destination", { tenantId: material.tenantId, feedId: material.feedId });
    return { httpStatus: 202, answer: { status: "failed", detail: "no destination" }, after: log({ status: "failed", detail: "the destination's webhook URL is missing", ...facts }, deploy) };
  }
  await getOutboxByName(deps.env.OUTBOX, material.tenantId).enqueue({
    // The delivery id is the idempotency key: a redelivery that slips past the cache still posts once.
    id: `github:${material.feedId}:${deliveryId}`,
    destination,
    message: { embeds: [githubEmbed(parsed)], allowed_mentions: { parse: [] } },
  });
  return { httpStatus: 202, answer: { status: "queued" }, after: log({ status: "queued", ...facts }, deploy) };
}

function deployBase(deps: ReceiveDeps) {
  return { env: deps.env, logger: deps.logger, now: deps.now(), requestId: deps.requestId };
}

/** After the answer: deploys (if any), then the delivery's row; one Postgres connection of its own. */
async function afterAnswer(
  deps: ReceiveDeps,
  material: HookMaterial,
  delivery: Outcome & { deliveryId: string; event: string },
  deploy?: (db: Db) => Promise<DeployReport>,
): Promise<void> {
  const handle = openDb(deps.config);
  try {
    let detail = delivery.detail ?? null;
    if (deploy) {
      try {
        const report = await deploy(handle.db);
        if (report.length > 0) detail = [detail, ...report].filter(Boolean).join("; ");
      } catch (err) {
        deps.logger.error("deploy-on-push failed", { tenantId: material.tenantId, feedId: material.feedId, err });
      }
    }
    await recordDelivery(handle.db, material, { ...delivery, detail, at: deps.now() });
  } catch (err) {
    deps.logger.error("recording a github delivery failed", { tenantId: material.tenantId, feedId: material.feedId, err });
  } finally {
    await handle.close().catch(() => {});
  }
}
