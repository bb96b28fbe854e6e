// drizzle-kit: generates SQL migrations from the tables in schema/src (strict, committed, never hand-edited).
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: ["./schema/src/core/index.ts", "./schema/src/dashboard/index.ts", "./schema/src/discord/index.ts", "./schema/src/stream/index.ts"],
  out: process.env.DRIZZLE_OUT ?? "./schema/migrations",
  strict: true,
  schemaFilter: ["core", "dashboard", "discord", "stream"],
});
