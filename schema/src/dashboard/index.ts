// The dashboard schema: homelab jobs, metric rollups, alert rules and their history.
export * from "./alert-events.ts";
export * from "./alert-rules.ts";
export * from "./columns.ts";
export * from "./jobs.ts";
export * from "./metric-rollups-hourly.ts";
