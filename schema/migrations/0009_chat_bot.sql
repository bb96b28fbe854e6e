CREATE TABLE "stream"."chat_channels" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"platform" text NOT NULL,
	"channel_id" text NOT NULL,
	"channel_login" text NOT NULL,
	"bot_user_id" text NOT NULL,
	"bot_is_moderator" boolean DEFAULT false NOT NULL,
	"connection_id" text,
	"live_chat_id" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stream"."chat_commands" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"aliases" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"response" text NOT NULL,
	"permission" text DEFAULT 'everyone' NOT NULL,
	"user_cooldown_seconds" integer DEFAULT 0 NOT NULL,
	"global_cooldown_seconds" integer DEFAULT 0 NOT NULL,
	"platforms" jsonb DEFAULT '["twitch","youtube","kick"]'::jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"use_count" integer DEFAULT 0 NOT NULL,
	"last_used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stream"."chat_timers" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"message" text NOT NULL,
	"interval_minutes" integer NOT NULL,
	"min_lines" integer DEFAULT 0 NOT NULL,
	"platforms" jsonb DEFAULT '["twitch","youtube","kick"]'::jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stream"."moderation_settings" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"settings" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stream"."moderation_log" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"platform" text NOT NULL,
	"channel_id" text NOT NULL,
	"user_id" text NOT NULL,
	"user_name" text NOT NULL,
	"rule" text NOT NULL,
	"action" text NOT NULL,
	"duration_seconds" integer,
	"strike" integer NOT NULL,
	"excerpt" text NOT NULL,
	"message_id" text NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stream"."platform_connections" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"platform" text NOT NULL,
	"platform_user_id" text NOT NULL,
	"login" text NOT NULL,
	"display_name" text NOT NULL,
	"avatar_url" text,
	"scopes" text[] DEFAULT '{}'::text[] NOT NULL,
	"key_version" text NOT NULL,
	"access_token_ciphertext" text NOT NULL,
	"refresh_token_ciphertext" text,
	"expires_at" timestamp with time zone,
	"status" text DEFAULT 'connected' NOT NULL,
	"last_refresh_error" text,
	"last_refreshed_at" timestamp with time zone,
	"last_validated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "stream"."chat_channels" ADD CONSTRAINT "chat_channels_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream"."chat_commands" ADD CONSTRAINT "chat_commands_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream"."chat_timers" ADD CONSTRAINT "chat_timers_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream"."moderation_settings" ADD CONSTRAINT "moderation_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream"."moderation_log" ADD CONSTRAINT "moderation_log_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream"."platform_connections" ADD CONSTRAINT "platform_connections_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream"."platform_connections" ADD CONSTRAINT "platform_connections_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "core"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "chat_channels_platform_channel_uq" ON "stream"."chat_channels" USING btree ("platform","channel_id");--> statement-breakpoint
CREATE INDEX "chat_channels_tenant_idx" ON "stream"."chat_channels" USING btree ("tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "chat_commands_tenant_name_uq" ON "stream"."chat_commands" USING btree ("tenant_id","name");--> statement-breakpoint
CREATE INDEX "chat_commands_tenant_idx" ON "stream"."chat_commands" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "chat_timers_tenant_idx" ON "stream"."chat_timers" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "moderation_log_tenant_idx" ON "stream"."moderation_log" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "moderation_log_message_idx" ON "stream"."moderation_log" USING btree ("tenant_id","message_id");--> statement-breakpoint
CREATE UNIQUE INDEX "platform_connections_user_platform_uq" ON "stream"."platform_connections" USING btree ("tenant_id","user_id","platform");--> statement-breakpoint
CREATE UNIQUE INDEX "platform_connections_account_uq" ON "stream"."platform_connections" USING btree ("tenant_id","platform","platform_user_id");--> statement-breakpoint
CREATE INDEX "platform_connections_expiry_idx" ON "stream"."platform_connections" USING btree ("expires_at") WHERE "stream"."platform_connections"."status" in ('connected', 'expiring');--> statement-breakpoint
CREATE INDEX "platform_connections_key_version_idx" ON "stream"."platform_connections" USING btree ("key_version");