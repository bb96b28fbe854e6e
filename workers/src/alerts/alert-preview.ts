// "When would this rule have fired?": replays one of the host's stored series through the engine (previewRule),
// read the same way the charts read it (hub SQLite for recent ranges, hourly rollups for 30 days).
import type { api } from "@nebula/schema";
import type { z } from "zod";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import { AppError } from "../errors/app-error.ts";
import { readMetrics } from "../metrics/metrics.ts";
import { previewRule } from "./engine.ts";
import { AlertRule } from "./rules.ts";

const RAW_INTERVAL_SECONDS = 10;

export async function previewAlertRule(
  db: Db,
  hubs: Env["AGENT_HUB"],
  tenantId: string,
  input: z.output<typeof api.AlertPreviewRequest>,
  now: Date,
): Promise<api.AlertPreview> {
  const metric = input.metric ?? input.rule.metric;
  if (metric.includes("*")) throw new AppError("BAD_REQUEST", "The rule's metric has * segments: name the concrete series to replay in `metric`");
  const read = await readMetrics(db, hubs, tenantId, input.agentId, { names: [metric], range: input.range }, now);
  const points = (read.series[0]?.points ?? []).map((p) => ({ at: p.t, value: p.avg }));
  // Missing-data detection counts in collection intervals: a bucket is one interval of a downsampled series.
  let gap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < points.length; i++) gap = Math.min(gap, (points[i]?.at ?? 0) - (points[i - 1]?.at ?? 0));
  const intervalSeconds = read.resolution === "raw" || !Number.isFinite(gap) ? RAW_INTERVAL_SECONDS : Math.max(1, Math.round(gap / 1000));
  // The destination is never used: a preview sends nothing.
  const rule = AlertRule.parse({ ...input.rule, id: "preview", name: "preview", destination: { kind: "channel", channelId: "00000" } });
  const result = previewRule(rule, points, { metric, intervalSeconds });
  return {
    metric,
    resolution: read.resolution,
    from: read.from,
    to: read.to,
    changes: result.changes.map((c) => ({ from: c.from, to: c.to, at: c.at, value: c.value })),
    notifications: result.notifications.map((n) => ({ transition: n.transition, at: n.at, value: n.value })),
  };
}
