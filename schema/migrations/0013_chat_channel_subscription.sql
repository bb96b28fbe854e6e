ALTER TABLE "stream"."chat_channels" ADD COLUMN "chat_subscription_id" text;--> statement-breakpoint
ALTER TABLE "stream"."chat_channels" ADD COLUMN "chat_subscription_failure" text;