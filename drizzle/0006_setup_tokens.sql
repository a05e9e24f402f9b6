-- The setup token of a fresh installation (issue 14): only its SHA-256, one row per start while no
-- staff user exists; creating the first admin deletes it (lib/auth/first-admin.ts).
CREATE TABLE "setup_tokens" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
