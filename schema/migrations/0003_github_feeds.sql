CREATE SCHEMA "discord";
--> statement-breakpoint
CREATE TABLE "discord"."guilds" (
	"guild_id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"icon" text,
	"installed_by" text,
	"installed_by_discord_id" text,
	"installed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "discord"."github_feeds" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"hook_id" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"filters" jsonb NOT NULL,
	"destination" jsonb NOT NULL,
	"deploy_rules" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"deploy_configured_by" text,
	"last_delivery_at" timestamp with time zone,
	"last_delivery_event" text,
	"last_delivery_status" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "discord"."github_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"feed_id" text NOT NULL,
	"delivery_id" text NOT NULL,
	"event" text NOT NULL,
	"action" text,
	"repository" text,
	"status" text NOT NULL,
	"detail" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "discord"."guilds" ADD CONSTRAINT "guilds_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discord"."guilds" ADD CONSTRAINT "guilds_installed_by_users_id_fk" FOREIGN KEY ("installed_by") REFERENCES "core"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discord"."github_feeds" ADD CONSTRAINT "github_feeds_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discord"."github_feeds" ADD CONSTRAINT "github_feeds_deploy_configured_by_users_id_fk" FOREIGN KEY ("deploy_configured_by") REFERENCES "core"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discord"."github_deliveries" ADD CONSTRAINT "github_deliveries_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discord"."github_deliveries" ADD CONSTRAINT "github_deliveries_feed_id_github_feeds_id_fk" FOREIGN KEY ("feed_id") REFERENCES "discord"."github_feeds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "guilds_tenant_idx" ON "discord"."guilds" USING btree ("tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "github_feeds_hook_id_key" ON "discord"."github_feeds" USING btree ("hook_id");--> statement-breakpoint
CREATE INDEX "github_feeds_tenant_idx" ON "discord"."github_feeds" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "github_deliveries_feed_delivery_key" ON "discord"."github_deliveries" USING btree ("feed_id","delivery_id");--> statement-breakpoint
CREATE INDEX "github_deliveries_feed_idx" ON "discord"."github_deliveries" USING btree ("feed_id","created_at");