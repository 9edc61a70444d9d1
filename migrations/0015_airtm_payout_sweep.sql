ALTER TABLE "withdrawals" ADD COLUMN "treasury_tx_hash" text;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD COLUMN "treasury_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD COLUMN "last_error" text;
