CREATE TABLE "onramp_merchants" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"public_key" text NOT NULL,
	"secret_sealed" text NOT NULL,
	"handles" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "onramp_merchants_public_key_unique" UNIQUE("public_key")
);
--> statement-breakpoint
CREATE TABLE "onramp_orders" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"session_id" text NOT NULL,
	"merchant_id" text NOT NULL,
	"buyer_id" text NOT NULL,
	"buyer_address" text NOT NULL,
	"status" text NOT NULL,
	"intent_hash" text NOT NULL,
	"balance_id" text,
	"signal_tx" text,
	"fulfill_tx" text,
	"return_tx" text,
	"payment_platform" text NOT NULL,
	"fiat_currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"conversion_rate" text NOT NULL,
	"fiat_amount" text NOT NULL,
	"recipient" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"signalled_at" timestamp with time zone,
	"last_error_code" text,
	"last_error_message" text,
	"version" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "onramp_orders_seq_unique" UNIQUE("seq"),
	CONSTRAINT "onramp_orders_session_id_unique" UNIQUE("session_id"),
	CONSTRAINT "onramp_orders_intent_hash_unique" UNIQUE("intent_hash")
);
--> statement-breakpoint
CREATE TABLE "onramp_proof_attempts" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"order_id" text NOT NULL,
	"intent_hash" text NOT NULL,
	"proof_identifier" text,
	"payment_id" text,
	"status" text NOT NULL,
	"verification_error" text,
	"verification_message" text,
	"paid_amount" text,
	"paid_at" timestamp with time zone,
	"tx_hash" text,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"verified_at" timestamp with time zone,
	"tx_confirmed_at" timestamp with time zone,
	CONSTRAINT "onramp_proof_attempts_seq_unique" UNIQUE("seq")
);
--> statement-breakpoint
ALTER TABLE "onramp_orders" ADD CONSTRAINT "onramp_orders_merchant_id_onramp_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."onramp_merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "onramp_orders" ADD CONSTRAINT "onramp_orders_buyer_id_users_id_fk" FOREIGN KEY ("buyer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "onramp_proof_attempts" ADD CONSTRAINT "onramp_proof_attempts_order_id_onramp_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."onramp_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "onramp_orders_buyer_idx" ON "onramp_orders" USING btree ("buyer_id","seq");--> statement-breakpoint
CREATE INDEX "onramp_orders_status_idx" ON "onramp_orders" USING btree ("status","seq");--> statement-breakpoint
CREATE INDEX "onramp_proof_attempts_order_idx" ON "onramp_proof_attempts" USING btree ("order_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "onramp_proof_attempts_accepted_uq" ON "onramp_proof_attempts" USING btree ("proof_identifier") WHERE status <> 'REJECTED';
--> statement-breakpoint
CREATE UNIQUE INDEX "onramp_proof_attempts_payment_uq" ON "onramp_proof_attempts" USING btree ("payment_id") WHERE status <> 'REJECTED';
