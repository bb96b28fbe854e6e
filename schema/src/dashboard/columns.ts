// The dashboard product's pgSchema: homelab jobs and metric rollups, apart from core's tables but in the same database.
import { pgSchema } from "drizzle-orm/pg-core";

export const dashboard = pgSchema("dashboard");
