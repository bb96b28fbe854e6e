// The REST API's wire shapes, one file per area, exported together as `api`.
export * from "./core.ts";
export * from "./agents.ts";
export * from "./enrollment.ts";
export * from "./jobs.ts";
export * from "./overlays.ts";
export * from "./alerts.ts";
