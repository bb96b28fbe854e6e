// `npm run db:migrate`: applies committed migrations to DATABASE_URL (Neon or any Postgres 15+).
import { migratePostgres } from "../src/migrate.ts";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is required for db:migrate (the embedded database is migrated by npm start).");
  process.exit(2);
}
try {
  await migratePostgres(url);
  console.log("Migrations applied.");
} catch (err) {
  console.error(`Migration failed: ${(err as Error).message}`);
  process.exit(1);
}
