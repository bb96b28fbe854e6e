CREATE TABLE "stream"."song_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"video_id" text NOT NULL,
	"title" text NOT NULL,
	"channel_title" text NOT NULL,
	"duration_seconds" integer NOT NULL,
	"thumbnail_url" text,
	"requested_by_name" text NOT NULL,
	"requested_by_platform" text NOT NULL,
	"requested_by_id" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"position" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stream"."song_request_settings" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"commands_enabled" boolean DEFAULT true NOT NULL,
	"max_duration_seconds" integer DEFAULT 600 NOT NULL,
	"per_user_limit" integer DEFAULT 2 NOT NULL,
	"queue_limit" integer DEFAULT 50 NOT NULL,
	"queue_revision" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "stream"."song_requests" ADD CONSTRAINT "song_requests_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream"."song_request_settings" ADD CONSTRAINT "song_request_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "song_requests_tenant_status_idx" ON "stream"."song_requests" USING btree ("tenant_id","status","position");--> statement-breakpoint
CREATE UNIQUE INDEX "song_requests_one_playing_uq" ON "stream"."song_requests" USING btree ("tenant_id") WHERE "stream"."song_requests"."status" = 'playing';--> statement-breakpoint
CREATE UNIQUE INDEX "song_requests_video_waiting_uq" ON "stream"."song_requests" USING btree ("tenant_id","video_id") WHERE "stream"."song_requests"."status" in ('queued', 'playing');