CREATE TABLE "sessions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"sid_hash" text NOT NULL,
	"user_id" uuid NOT NULL,
	"ip" text DEFAULT '' NOT NULL,
	"user_agent" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
DROP INDEX "users_username_lower_idx";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "username_canonical" text;--> statement-breakpoint
-- Existing usernames are ASCII (the sign-up form allows [A-Za-z0-9_.@+-] only), where this equals canonicalUsername() in lib/canonical.ts.
UPDATE "users" SET "username_canonical" = lower(normalize("username", NFKC));--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "username_canonical" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_sid_hash_idx" ON "sessions" USING btree ("sid_hash");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_expires_idx" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_canonical_idx" ON "users" USING btree ("username_canonical");