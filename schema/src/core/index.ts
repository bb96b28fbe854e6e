// The core schema: tenants, people, access and the records every product relies on.
export * from "./columns.ts";
export * from "./roles.ts";
export * from "./tenants.ts";
export * from "./users.ts";
export * from "./memberships.ts";
export * from "./invites.ts";
export * from "./sessions.ts";
export * from "./api-tokens.ts";
export * from "./agents.ts";
export * from "./audit-log.ts";
export * from "./secrets.ts";
