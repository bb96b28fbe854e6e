CREATE TABLE "discord"."ticket_settings" (
	"guild_id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"per_user_limit" integer DEFAULT 1 NOT NULL,
	"support_hours" jsonb,
	"auto_close_hours" integer,
	"log_channel_id" text,
	"rating_enabled" boolean DEFAULT true NOT NULL,
	"next_number" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "discord"."ticket_panels" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"guild_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"message_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "discord"."ticket_categories" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"guild_id" text NOT NULL,
	"panel_id" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"name" text NOT NULL,
	"emoji" text,
	"description" text DEFAULT '' NOT NULL,
	"staff_role_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"questions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "discord"."tickets" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"guild_id" text NOT NULL,
	"number" integer NOT NULL,
	"category_id" text,
	"category_name" text NOT NULL,
	"thread_id" text,
	"welcome_message_id" text,
	"opener_id" text NOT NULL,
	"opener_name" text NOT NULL,
	"subject" text NOT NULL,
	"answers" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"claimed_by_id" text,
	"claimed_by_name" text,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_activity_at" timestamp with time zone DEFAULT now() NOT NULL,
	"first_staff_response_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"closed_by_id" text,
	"closed_by_name" text,
	"close_reason" text,
	"close_finished_at" timestamp with time zone,
	"transcript_count" integer DEFAULT 0 NOT NULL,
	"transcript_truncated" boolean DEFAULT false NOT NULL,
	"rating" integer,
	"open_interaction_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "discord"."ticket_messages" (
	"ticket_id" text NOT NULL,
	"message_id" text NOT NULL,
	"author_id" text NOT NULL,
	"author_name" text NOT NULL,
	"author_bot" boolean DEFAULT false NOT NULL,
	"content" text DEFAULT '' NOT NULL,
	"embed_text" text DEFAULT '' NOT NULL,
	"attachments" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ticket_messages_ticket_id_message_id_pk" PRIMARY KEY("ticket_id","message_id")
);
--> statement-breakpoint
CREATE TABLE "discord"."now_playing_settings" (
	"guild_id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"token_created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"channel_id" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"plex_users" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"libraries" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"updated_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "discord"."analytics_daily" (
	"tenant_id" text NOT NULL,
	"guild_id" text NOT NULL,
	"day" date NOT NULL,
	"metric" text NOT NULL,
	"key" text DEFAULT '' NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "analytics_daily_guild_id_day_metric_key_pk" PRIMARY KEY("guild_id","day","metric","key")
);
--> statement-breakpoint
CREATE TABLE "discord"."analytics_events_seen" (
	"event_id" text PRIMARY KEY NOT NULL,
	"guild_id" text NOT NULL,
	"seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "discord"."ticket_settings" ADD CONSTRAINT "ticket_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discord"."ticket_panels" ADD CONSTRAINT "ticket_panels_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discord"."ticket_categories" ADD CONSTRAINT "ticket_categories_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discord"."ticket_categories" ADD CONSTRAINT "ticket_categories_panel_id_ticket_panels_id_fk" FOREIGN KEY ("panel_id") REFERENCES "discord"."ticket_panels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discord"."tickets" ADD CONSTRAINT "tickets_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discord"."tickets" ADD CONSTRAINT "tickets_category_id_ticket_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "discord"."ticket_categories"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discord"."ticket_messages" ADD CONSTRAINT "ticket_messages_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "discord"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discord"."now_playing_settings" ADD CONSTRAINT "now_playing_settings_guild_id_guilds_guild_id_fk" FOREIGN KEY ("guild_id") REFERENCES "discord"."guilds"("guild_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discord"."now_playing_settings" ADD CONSTRAINT "now_playing_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discord"."analytics_daily" ADD CONSTRAINT "analytics_daily_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ticket_panels_guild_idx" ON "discord"."ticket_panels" USING btree ("tenant_id","guild_id");--> statement-breakpoint
CREATE INDEX "ticket_categories_panel_idx" ON "discord"."ticket_categories" USING btree ("panel_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_guild_number_uq" ON "discord"."tickets" USING btree ("guild_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_open_interaction_uq" ON "discord"."tickets" USING btree ("open_interaction_id");--> statement-breakpoint
CREATE INDEX "tickets_guild_status_idx" ON "discord"."tickets" USING btree ("tenant_id","guild_id","status");--> statement-breakpoint
CREATE INDEX "tickets_opener_open_idx" ON "discord"."tickets" USING btree ("guild_id","opener_id") WHERE "discord"."tickets"."status" = 'open';--> statement-breakpoint
CREATE INDEX "tickets_thread_idx" ON "discord"."tickets" USING btree ("thread_id");--> statement-breakpoint
CREATE INDEX "ticket_messages_order_idx" ON "discord"."ticket_messages" USING btree ("ticket_id","sent_at");--> statement-breakpoint
CREATE UNIQUE INDEX "now_playing_settings_token_hash_key" ON "discord"."now_playing_settings" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "now_playing_settings_tenant_idx" ON "discord"."now_playing_settings" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "analytics_daily_tenant_idx" ON "discord"."analytics_daily" USING btree ("tenant_id","guild_id","day");--> statement-breakpoint
CREATE INDEX "analytics_events_seen_at_idx" ON "discord"."analytics_events_seen" USING btree ("seen_at");