// Wire shapes of jobs (/api/t/:tenantId/agents/:id/jobs, /jobs/:jobId) and host metrics (/agents/:id/metrics).
import { z } from "zod";
import { METRIC_NAME_PATTERN } from "../wire/agent.ts";
import { MAX_JOB_TIMEOUT_MS } from "../wire/jobs.ts";

const isoDate = z.iso.datetime({ offset: true });

export const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled", "timeout"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINISHED_JOB_STATUSES = ["succeeded", "failed", "cancelled", "timeout"] as const satisfies readonly JobStatus[];
export type FinishedJobStatus = (typeof FINISHED_JOB_STATUSES)[number];

export const JobError = z.object({ code: z.string(), message: z.string() });
export type JobError = z.infer<typeof JobError>;

export const Job = z.object({
  id: z.string(),
  agentId: z.string(),
  kind: z.string(),
  params: z.unknown(),
  status: z.enum(JOB_STATUSES),
  requestedBy: z.object({ id: z.string(), name: z.string() }),
  createdAt: isoDate,
  startedAt: isoDate.nullable(),
  finishedAt: isoDate.nullable(),
  deadlineAt: isoDate,
  result: z.unknown(),
  error: JobError.nullable(),
});
export type Job = z.infer<typeof Job>;

export const JobList = z.object({ items: z.array(Job), nextCursor: z.string().nullable() });
export type JobList = z.infer<typeof JobList>;

export const RunJobRequest = z.strictObject({
  kind: z.string().min(1).max(60),
  params: z.unknown().optional(),
  timeoutMs: z.number().int().min(1000).max(MAX_JOB_TIMEOUT_MS).optional(),
});
/** `wait` defaults to true for read-only kinds (viewer role) and false for the rest. */
export const RunJobQuery = z.object({ wait: z.enum(["true", "false"]).optional() });
export const JobListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  /** `nextCursor` of the previous page. */
  cursor: z
    .string()
    .regex(/^\d{1,15}\.job_[0-9a-z]{16}$/)
    .optional(),
});

// ---- Metrics ----------------------------------------------------------------------------------------

/** 1h reads raw samples, 24h and 7d minute rollups (7d downsampled), 30d the hourly rollups in Postgres. */
export const METRIC_RANGES = ["1h", "24h", "7d", "30d"] as const;
export type MetricRange = (typeof METRIC_RANGES)[number];
export const MAX_SERIES_POINTS = 1000;
export const MAX_SERIES_NAMES = 20;

/** `names` is a comma-separated list of metric names (`cpu.total,mem.used_pct`). */
export const MetricsQuery = z.object({
  names: z
    .string()
    .min(1)
    .max(2000)
    .transform((s) => [...new Set(s.split(",").map((n) => n.trim()))])
    .pipe(z.array(z.string().regex(METRIC_NAME_PATTERN)).min(1).max(MAX_SERIES_NAMES)),
  range: z.enum(METRIC_RANGES).default("1h"),
});

/** One bucket: a raw sample has min = max = avg and count 1. `t` is epoch milliseconds (bucket start). */
export const MetricPoint = z.object({ t: z.number(), min: z.number(), max: z.number(), avg: z.number(), count: z.number() });
export type MetricPoint = z.infer<typeof MetricPoint>;
export const MetricSeries = z.object({ name: z.string(), points: z.array(MetricPoint) });
export type MetricSeries = z.infer<typeof MetricSeries>;
export const METRIC_RESOLUTIONS = ["raw", "1m", "1h"] as const;
export const MetricsResponse = z.object({
  range: z.enum(METRIC_RANGES),
  resolution: z.enum(METRIC_RESOLUTIONS),
  from: z.number(),
  to: z.number(),
  series: z.array(MetricSeries),
});
export type MetricsResponse = z.infer<typeof MetricsResponse>;
