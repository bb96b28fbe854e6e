// The dashboard schema: homelab jobs and metric rollups.
export * from "./columns.ts";
export * from "./jobs.ts";
export * from "./metric-rollups-hourly.ts";
