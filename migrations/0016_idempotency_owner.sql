ALTER TABLE "idempotency_keys" ADD COLUMN "owner_pid" integer;
