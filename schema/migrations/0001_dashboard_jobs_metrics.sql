CREATE SCHEMA "dashboard";
--> statement-breakpoint
CREATE TABLE "dashboard"."jobs" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"kind" text NOT NULL,
	"params" jsonb NOT NULL,
	"status" text NOT NULL,
	"requested_by" text NOT NULL,
	"requested_by_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"deadline_at" timestamp with time zone NOT NULL,
	"result" jsonb,
	"error" jsonb
);
--> statement-breakpoint
CREATE TABLE "dashboard"."metric_rollups_hourly" (
	"tenant_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"metric" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"min" double precision NOT NULL,
	"max" double precision NOT NULL,
	"avg" double precision NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "metric_rollups_hourly_agent_id_metric_hour_pk" PRIMARY KEY("agent_id","metric","hour")
);
--> statement-breakpoint
ALTER TABLE "dashboard"."jobs" ADD CONSTRAINT "jobs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dashboard"."jobs" ADD CONSTRAINT "jobs_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "core"."agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dashboard"."metric_rollups_hourly" ADD CONSTRAINT "metric_rollups_hourly_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dashboard"."metric_rollups_hourly" ADD CONSTRAINT "metric_rollups_hourly_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "core"."agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "jobs_agent_created_idx" ON "dashboard"."jobs" USING btree ("agent_id","created_at","id");--> statement-breakpoint
CREATE INDEX "jobs_tenant_created_idx" ON "dashboard"."jobs" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "metric_rollups_hourly_tenant_idx" ON "dashboard"."metric_rollups_hourly" USING btree ("tenant_id");