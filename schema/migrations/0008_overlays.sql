CREATE TABLE "stream"."overlays" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"public_id" text NOT NULL,
	"document" jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "stream"."overlays" ADD CONSTRAINT "overlays_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "core"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "overlays_public_id_uq" ON "stream"."overlays" USING btree ("public_id");--> statement-breakpoint
CREATE INDEX "overlays_tenant_idx" ON "stream"."overlays" USING btree ("tenant_id","name");