CREATE TABLE "discord"."tracked_streamers" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"guild_id" text NOT NULL,
	"platform" text NOT NULL,
	"platform_user_id" text NOT NULL,
	"login" text NOT NULL,
	"display_name" text NOT NULL,
	"channel_id" text NOT NULL,
	"ping_role_id" text,
	"template" text DEFAULT '{streamer} is live on {platform}: {title}
{url}' NOT NULL,
	"embed" boolean DEFAULT true NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"discord_user_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "discord"."stream_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"streamer_id" text NOT NULL,
	"platform" text NOT NULL,
	"stream_key" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"title" text DEFAULT '' NOT NULL,
	"game" text DEFAULT '' NOT NULL,
	"url" text DEFAULT '' NOT NULL,
	"thumbnail_url" text,
	"viewers" integer,
	"vod_url" text,
	"sources" text[] DEFAULT '{}'::text[] NOT NULL,
	"notification_outbox_id" text,
	"end_notification_outbox_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "discord"."tracked_streamers" ADD CONSTRAINT "tracked_streamers_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discord"."stream_sessions" ADD CONSTRAINT "stream_sessions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discord"."stream_sessions" ADD CONSTRAINT "stream_sessions_streamer_id_tracked_streamers_id_fk" FOREIGN KEY ("streamer_id") REFERENCES "discord"."tracked_streamers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "tracked_streamers_guild_account_uq" ON "discord"."tracked_streamers" USING btree ("tenant_id","guild_id","platform","platform_user_id");--> statement-breakpoint
CREATE INDEX "tracked_streamers_account_idx" ON "discord"."tracked_streamers" USING btree ("platform","platform_user_id") WHERE "discord"."tracked_streamers"."enabled";--> statement-breakpoint
CREATE INDEX "tracked_streamers_member_idx" ON "discord"."tracked_streamers" USING btree ("guild_id","discord_user_id") WHERE "discord"."tracked_streamers"."discord_user_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "stream_sessions_key_uq" ON "discord"."stream_sessions" USING btree ("streamer_id","stream_key");--> statement-breakpoint
CREATE UNIQUE INDEX "stream_sessions_open_uq" ON "discord"."stream_sessions" USING btree ("streamer_id") WHERE "discord"."stream_sessions"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "stream_sessions_tenant_started_idx" ON "discord"."stream_sessions" USING btree ("tenant_id","started_at");