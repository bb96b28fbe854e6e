CREATE SCHEMA "stream";
--> statement-breakpoint
CREATE TABLE "stream"."unified_inbox_notifications" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"streamer_user_id" text,
	"platform" text NOT NULL,
	"type" text NOT NULL,
	"source_event_id" text NOT NULL,
	"broadcaster_id" text NOT NULL,
	"actor_id" text,
	"actor_name" text NOT NULL,
	"actor_avatar_url" text,
	"amount" numeric(14, 2),
	"currency" text,
	"bits" integer,
	"months" integer,
	"count" integer,
	"viewers" integer,
	"tier" text,
	"message" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"read_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stream"."inbox_sources" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"platform" text NOT NULL,
	"broadcaster_id" text NOT NULL,
	"streamer_user_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stream"."inbox_webhooks" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"last_delivery_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stream"."inbox_settings" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"retention_days" integer DEFAULT 90 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "stream"."unified_inbox_notifications" ADD CONSTRAINT "unified_inbox_notifications_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream"."unified_inbox_notifications" ADD CONSTRAINT "unified_inbox_notifications_streamer_user_id_users_id_fk" FOREIGN KEY ("streamer_user_id") REFERENCES "core"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream"."inbox_sources" ADD CONSTRAINT "inbox_sources_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream"."inbox_sources" ADD CONSTRAINT "inbox_sources_streamer_user_id_users_id_fk" FOREIGN KEY ("streamer_user_id") REFERENCES "core"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream"."inbox_webhooks" ADD CONSTRAINT "inbox_webhooks_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream"."inbox_settings" ADD CONSTRAINT "inbox_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "unified_inbox_source_event_uq" ON "stream"."unified_inbox_notifications" USING btree ("tenant_id","platform","source_event_id");--> statement-breakpoint
CREATE INDEX "unified_inbox_list_idx" ON "stream"."unified_inbox_notifications" USING btree ("tenant_id","occurred_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "unified_inbox_platform_idx" ON "stream"."unified_inbox_notifications" USING btree ("tenant_id","platform","occurred_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "unified_inbox_type_idx" ON "stream"."unified_inbox_notifications" USING btree ("tenant_id","type","occurred_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "unified_inbox_unread_idx" ON "stream"."unified_inbox_notifications" USING btree ("tenant_id","occurred_at" DESC NULLS LAST) WHERE "stream"."unified_inbox_notifications"."read_at" is null;--> statement-breakpoint
CREATE INDEX "unified_inbox_occurred_idx" ON "stream"."unified_inbox_notifications" USING btree ("occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "inbox_sources_tenant_channel_uq" ON "stream"."inbox_sources" USING btree ("tenant_id","platform","broadcaster_id");--> statement-breakpoint
CREATE INDEX "inbox_sources_channel_idx" ON "stream"."inbox_sources" USING btree ("platform","broadcaster_id");--> statement-breakpoint
CREATE INDEX "inbox_webhooks_tenant_idx" ON "stream"."inbox_webhooks" USING btree ("tenant_id");