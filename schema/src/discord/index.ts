// The discord schema: every table of the Discord bot product. Each feature adds its table file here.
export * from "./columns.ts";
