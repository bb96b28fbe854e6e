CREATE TABLE "discord"."welcome_settings" (
	"guild_id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"channel_id" text,
	"template" text DEFAULT 'Welcome {user} to **{server}**! You are member #{memberCount}.' NOT NULL,
	"embed" jsonb,
	"dm_enabled" boolean DEFAULT false NOT NULL,
	"dm_template" text,
	"auto_role_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"include_bots" boolean DEFAULT false NOT NULL,
	"leave_enabled" boolean DEFAULT false NOT NULL,
	"leave_channel_id" text,
	"leave_template" text DEFAULT '**{user.name}** left {server}.' NOT NULL,
	"last_auto_roles" jsonb,
	"last_auto_roles_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "discord"."welcome_events" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"guild_id" text NOT NULL,
	"user_id" text NOT NULL,
	"user_name" text NOT NULL,
	"kind" text NOT NULL,
	"message_status" text,
	"dm_status" text,
	"dm_error" text,
	"role_status" text,
	"role_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "discord"."custom_commands" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"guild_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	"options" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"template" text NOT NULL,
	"embed" jsonb,
	"ephemeral" boolean DEFAULT false NOT NULL,
	"allowed_role_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"user_cooldown_seconds" integer DEFAULT 0 NOT NULL,
	"global_cooldown_seconds" integer DEFAULT 0 NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"usage_count" integer DEFAULT 0 NOT NULL,
	"last_used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "discord"."custom_command_registrations" (
	"guild_id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"generation" integer DEFAULT 0 NOT NULL,
	"registered_hash" text,
	"command_count" integer DEFAULT 0 NOT NULL,
	"error" text,
	"requested_at" timestamp with time zone,
	"registered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "discord"."welcome_settings" ADD CONSTRAINT "welcome_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discord"."welcome_events" ADD CONSTRAINT "welcome_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discord"."custom_commands" ADD CONSTRAINT "custom_commands_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discord"."custom_command_registrations" ADD CONSTRAINT "custom_command_registrations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "welcome_events_guild_idx" ON "discord"."welcome_events" USING btree ("guild_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "custom_commands_guild_name_uq" ON "discord"."custom_commands" USING btree ("guild_id","name");--> statement-breakpoint
CREATE INDEX "custom_commands_tenant_idx" ON "discord"."custom_commands" USING btree ("tenant_id","guild_id");