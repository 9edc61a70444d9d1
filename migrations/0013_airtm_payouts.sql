ALTER TABLE "withdrawals" ADD COLUMN "provider_payout_id" text;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD COLUMN "provider_status" text;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD COLUMN "failure_reason" text;--> statement-breakpoint
CREATE UNIQUE INDEX "withdrawals_provider_payout_idx" ON "withdrawals" USING btree ("provider_payout_id");
