// The stream schema: every table of the stream bot product. Each feature adds its table file here.
export * from "./columns.ts";
