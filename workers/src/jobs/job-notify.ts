// "Tell a Discord destination when this job ends": a job may carry a JobNotify (GitHub deploy-on-push sets one),
// and whoever records the job's end (the AgentHub, or the dispatcher when the hub never took the job) hands one
// message to the tenant's Outbox. The outbox id is the job's, so a retried end never posts twice.
import type { api } from "@nebula/schema";
import { loadConfig } from "../config/config.ts";
import type { Db } from "../db/client.ts";
import type { DiscordEmbed } from "../discord-rest/discord-rest.ts";
import type { Env } from "../env.ts";
import type { Logger } from "../logging/logger.ts";
import { getOutboxByName } from "../outbox/outbox.ts";
import type { OutboxItem } from "../outbox/outbox-item.ts";
import { getSecret } from "../secrets/secrets.ts";
import { keyRingFor } from "../services/services.ts";
import type { JobNotify, JobOutcome } from "./job-outcome.ts";

export type { JobNotify };

export interface NotifiedJob {
  id: string;
  tenantId: string;
  kind: string;
  notify?: JobNotify | undefined;
}

const SUCCEEDED_COLOUR = 0x2ecc71;
const FAILED_COLOUR = 0xe74c3c;
// Discord: embed titles hold 256 characters, descriptions 4096, field values 1024.
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const short = (sha: unknown) => (typeof sha === "string" ? sha.slice(0, 7) : "?");

/** deploy.run's result (schema/src/wire/job-results.ts DeployResult) as fields; other kinds show nothing extra. */
function resultFields(kind: string, result: unknown): NonNullable<DiscordEmbed["fields"]> {
  if (kind !== "deploy.run" || typeof result !== "object" || result === null) return [];
  const r = result as { before?: unknown; after?: unknown; changed?: unknown; compose?: unknown };
  const commit = r.changed === false ? `already at \`${short(r.after)}\`` : `\`${short(r.before)}\` → \`${short(r.after)}\``;
  return [
    { name: "Commit", value: commit, inline: true },
    { name: "Compose", value: r.compose === "up" ? "stack brought up" : "no compose file (skipped)", inline: true },
  ];
}

export function jobEndEmbed(job: NotifiedJob, outcome: JobOutcome, notify: JobNotify): DiscordEmbed {
  const ok = outcome.status === "succeeded";
  const verb = ok ? "Succeeded" : outcome.status === "timeout" ? "Timed out" : outcome.status === "cancelled" ? "Cancelled" : "Failed";
  const embed: DiscordEmbed = {
    title: clip(`${verb}: ${notify.title}`, 256),
    color: ok ? SUCCEEDED_COLOUR : FAILED_COLOUR,
    fields: ok ? resultFields(job.kind, outcome.result) : [],
    timestamp: new Date(outcome.finishedAt).toISOString(),
    footer: { text: `Nebula Command · ${job.kind} · ${job.id}` },
  };
  if (!ok) embed.description = clip(outcome.error?.message ?? verb, 1000);
  if (notify.url) embed.url = notify.url;
  return embed;
}

export const jobNotifyId = (jobId: string) => `job-end:${jobId}`;

/**
 * Enqueues the job's end message. A sealed webhook is opened with `db` (the caller already holds a connection for
 * the job's end); a deleted secret means the feed is gone, so nobody is told. Throws when the Outbox cannot be
 * reached, so the caller's retry (the hub's alarm) tries again; the outbox id makes that safe.
 */
export async function notifyJobEnd(env: Env, db: Db, job: NotifiedJob, outcome: JobOutcome, logger: Logger): Promise<void> {
  const notify = job.notify;
  if (!notify) return;
  let destination: api.Destination;
  if (notify.destination.kind === "webhook") {
    const url = await getSecret(db, await keyRingFor(loadConfig(env)), job.tenantId, notify.destination.secretName);
    if (url === null) {
      logger.warn("job end: the webhook secret is gone; nobody to tell", { tenantId: job.tenantId, jobId: job.id });
      return;
    }
    destination = { kind: "webhook", url };
  } else {
    destination = notify.destination;
  }
  const item: OutboxItem = { id: jobNotifyId(job.id), destination, message: { embeds: [jobEndEmbed(job, outcome, notify)], allowed_mentions: { parse: [] } } };
  await getOutboxByName(env.OUTBOX, job.tenantId).enqueue(item);
}
