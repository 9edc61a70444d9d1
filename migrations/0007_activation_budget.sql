CREATE TABLE "wallet_activation_budget" (
	"day" date NOT NULL,
	"principal" text NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "wallet_activation_budget_day_principal_pk" PRIMARY KEY("day","principal")
);
