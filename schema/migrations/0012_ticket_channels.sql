ALTER TABLE "discord"."ticket_panels" ADD COLUMN "ticket_kind" text DEFAULT 'thread' NOT NULL;--> statement-breakpoint
ALTER TABLE "discord"."ticket_panels" ADD COLUMN "discord_category_id" text;--> statement-breakpoint
ALTER TABLE "discord"."tickets" ADD COLUMN "kind" text DEFAULT 'thread' NOT NULL;