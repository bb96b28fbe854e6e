// The stream bot product's pgSchema: platform connections, the unified inbox, chat bot and overlays, in the same database.
import { pgSchema } from "drizzle-orm/pg-core";

export const stream = pgSchema("stream");
