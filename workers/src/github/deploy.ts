// Deploy-on-push: a push that matches one of a feed's deploy rules runs `deploy.run` on the rule's agent through
// the jobs domain (the same path as the dashboard: job row, audit row as "github:<feedId>", the kind's owner role),
// and the job carries a JobNotify, so the AgentHub posts the result to the feed's destination when it ends.
// Runs after GitHub was answered (it needs Postgres for the job and audit rows).
import { type api, roleAtLeast } from "@nebula/schema";
import type { Caller } from "../audit/audit.ts";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import { AppError } from "../errors/app-error.ts";
import type { Logger } from "../logging/logger.ts";
import { type JobNotify, jobEndEmbed, notifyJobEnd } from "../jobs/job-notify.ts";
import type { JobOutcome } from "../jobs/job-outcome.ts";
import { runJob } from "../jobs/jobs.ts";
import { getOutboxByName } from "../outbox/outbox.ts";
import { roleIn } from "../tenancy/access.ts";
import type { PushPayload } from "./events.ts";
import { branchOfRef } from "./events.ts";
import { deployRulesFor } from "./filters.ts";
import type { HookMaterial } from "./hook-material.ts";

export interface DeployContext {
  env: Env;
  db: Db;
  logger: Logger;
  now: Date;
  requestId: string;
  /** The destination opened for immediate failures (the hub opens its own copy when a job ends). */
  destination: api.Destination | null;
}

/** One line per rule for the delivery log: "deploy site on agt_…: job_…" or why not. */
export type DeployReport = string[];

const requestedBy = (feedId: string) => `github:${feedId}`;

/** A failure that happened before any job existed (rules' owner demoted, agent gone): said once per delivery and rule. */
async function tellFailure(ctx: DeployContext, material: HookMaterial, messageId: string, notify: JobNotify, message: string): Promise<void> {
  if (!ctx.destination) return;
  const outcome: JobOutcome = { status: "failed", result: null, error: { code: "failed", message }, finishedAt: ctx.now.getTime() };
  const embed = jobEndEmbed({ id: messageId, tenantId: material.tenantId, kind: "deploy.run" }, outcome, notify);
  await getOutboxByName(ctx.env.OUTBOX, material.tenantId).enqueue({ id: messageId, destination: ctx.destination, message: { embeds: [embed], allowed_mentions: { parse: [] } } });
}

export async function deployOnPush(ctx: DeployContext, material: HookMaterial, push: PushPayload, deliveryId: string): Promise<DeployReport> {
  const rules = deployRulesFor(push, material.deployRules);
  if (rules.length === 0) return [];
  const branch = branchOfRef(push.ref) ?? push.ref;
  // The rules run with the rights of the owner who set them, checked now: a demoted or removed owner's rules stop.
  const configuredBy = material.deployConfiguredBy;
  const role = configuredBy ? await roleIn(ctx.db, material.tenantId, configuredBy) : null;
  const report: DeployReport = [];
  for (const [i, rule] of rules.entries()) {
    const notify: JobNotify = {
      title: `Deploy ${rule.repo} (${push.repository.full_name}@${branch} ${push.after.slice(0, 7)})`,
      ...(push.compare ? { url: push.compare } : {}),
      destination: material.destination,
    };
    const failureId = `github-deploy:${material.feedId}:${deliveryId}:${i}`;
    if (!role || !roleAtLeast(role, "owner")) {
      const why = "the owner who set this feed's deploy rules is no longer an owner of this tenant; an owner must save the rules again";
      report.push(`deploy ${rule.repo} on ${rule.agentId}: skipped (${why})`);
      await tellFailure(ctx, material, failureId, notify, `Not deployed: ${why}.`);
      continue;
    }
    const caller: Caller = { id: requestedBy(material.feedId), name: `GitHub feed "${material.name}"`, userId: configuredBy ?? "", userName: "" };
    try {
      // The branch, not the pushed sha: two quick pushes may reach the agent out of order, and both then deploy
      // the branch's tip, so the host ends on the newest commit whatever the order.
      const ran = await runJob(
        ctx.db,
        ctx.env.AGENT_HUB,
        { tenantId: material.tenantId, role, scopes: null },
        caller,
        rule.agentId,
        { kind: "deploy.run", params: { repo: rule.repo, ref: branch } },
        false,
        ctx.now,
        ctx.requestId,
        { notify },
      );
      report.push(`deploy ${rule.repo} on ${rule.agentId}: ${ran.job.id} ${ran.job.status}`);
      // Ended at once (agent offline, refused): the hub never held it, so the result is told from here.
      if (ran.finished) {
        const outcome: JobOutcome = {
          status: ran.job.status === "queued" || ran.job.status === "running" ? "failed" : ran.job.status,
          result: ran.job.result ?? null,
          error: ran.job.error,
          finishedAt: ran.job.finishedAt ? Date.parse(ran.job.finishedAt) : ctx.now.getTime(),
        };
        await notifyJobEnd(ctx.env, ctx.db, { id: ran.job.id, tenantId: material.tenantId, kind: "deploy.run", notify }, outcome, ctx.logger);
      }
    } catch (err) {
      const message = err instanceof AppError ? err.message : "The job could not be started";
      if (!(err instanceof AppError)) ctx.logger.error("deploy-on-push failed to start", { tenantId: material.tenantId, feedId: material.feedId, agentId: rule.agentId, err });
      report.push(`deploy ${rule.repo} on ${rule.agentId}: not started (${message})`);
      await tellFailure(ctx, material, failureId, notify, message);
    }
  }
  return report;
}
