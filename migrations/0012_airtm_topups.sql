CREATE TABLE "airtm_links" (
	"user_id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"airtm_user_id" text NOT NULL,
	"verified" boolean NOT NULL,
	"linked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "topups" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"user_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" text NOT NULL,
	"payin_id" text,
	"confirmation_url" text,
	"payer_email" text,
	"failure_reason" text,
	"delivery_tx_hash" text,
	"delivered_at" timestamp with time zone,
	"delivery_attempts" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "topups_seq_unique" UNIQUE("seq"),
	CONSTRAINT "topups_payin_id_unique" UNIQUE("payin_id")
);
--> statement-breakpoint
CREATE TABLE "airtm_webhook_events" (
	"svix_id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"type" text NOT NULL,
	"airtm_id" text,
	"code" text,
	"target" text,
	"raw_body" text NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"signaled_at" timestamp with time zone,
	"data" jsonb,
	CONSTRAINT "airtm_webhook_events_seq_unique" UNIQUE("seq")
);
--> statement-breakpoint
ALTER TABLE "airtm_links" ADD CONSTRAINT "airtm_links_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "topups" ADD CONSTRAINT "topups_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "topups_user_idx" ON "topups" USING btree ("user_id","seq");--> statement-breakpoint
CREATE INDEX "topups_status_idx" ON "topups" USING btree ("status");--> statement-breakpoint
CREATE INDEX "airtm_webhook_events_code_idx" ON "airtm_webhook_events" USING btree ("code");--> statement-breakpoint
CREATE INDEX "airtm_webhook_events_unmatched_idx" ON "airtm_webhook_events" USING btree ("target","seq");
