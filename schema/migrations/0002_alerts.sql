CREATE TABLE "dashboard"."alert_events" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"rule_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"subject" text NOT NULL,
	"transition" text NOT NULL,
	"value" double precision,
	"at" timestamp with time zone NOT NULL,
	"notified" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dashboard"."alert_rules" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"rule" jsonb NOT NULL,
	"agent_id" text,
	"destination" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "dashboard"."alert_events" ADD CONSTRAINT "alert_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dashboard"."alert_events" ADD CONSTRAINT "alert_events_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "core"."agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dashboard"."alert_rules" ADD CONSTRAINT "alert_rules_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dashboard"."alert_rules" ADD CONSTRAINT "alert_rules_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "core"."agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alert_events_tenant_at_idx" ON "dashboard"."alert_events" USING btree ("tenant_id","at","id");--> statement-breakpoint
CREATE INDEX "alert_rules_tenant_idx" ON "dashboard"."alert_rules" USING btree ("tenant_id","created_at");