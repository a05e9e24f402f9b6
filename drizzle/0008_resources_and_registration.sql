CREATE TABLE "resources" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"identifier" text NOT NULL,
	"name" text NOT NULL,
	"scopes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"access_token_format" text DEFAULT 'opaque' NOT NULL,
	"access_token_lifetime_seconds" integer,
	"built_in" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "access_tokens" ADD COLUMN "audience" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "allowed_scopes" text[];--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "scope_policy" text DEFAULT 'refuse' NOT NULL;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "registration_method" text DEFAULT 'form' NOT NULL;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "registration_access_token_hash" text;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "suspended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "logo_uri" text;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "client_uri" text;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "metadata_fetched_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "metadata_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "authorization_codes" ADD COLUMN "resources" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "device_codes" ADD COLUMN "resources" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "refresh_tokens" ADD COLUMN "resources" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "resources_identifier_idx" ON "resources" USING btree ("identifier");