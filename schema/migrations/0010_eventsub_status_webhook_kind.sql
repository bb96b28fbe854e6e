CREATE TABLE "stream"."eventsub_subscriptions" (
	"tenant_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"type" text NOT NULL,
	"version" text NOT NULL,
	"twitch_subscription_id" text,
	"state" text NOT NULL,
	"failure" text,
	"needs_reconnect" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "eventsub_subscriptions_connection_id_type_pk" PRIMARY KEY("connection_id","type")
);
--> statement-breakpoint
ALTER TABLE "stream"."inbox_webhooks" ADD COLUMN "kind" text DEFAULT 'custom' NOT NULL;--> statement-breakpoint
ALTER TABLE "stream"."eventsub_subscriptions" ADD CONSTRAINT "eventsub_subscriptions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream"."eventsub_subscriptions" ADD CONSTRAINT "eventsub_subscriptions_connection_id_platform_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "stream"."platform_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "eventsub_subscriptions_tenant_idx" ON "stream"."eventsub_subscriptions" USING btree ("tenant_id");