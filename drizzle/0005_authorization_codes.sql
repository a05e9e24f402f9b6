-- The `grants` table holds authorization codes (RFC 6749 §4.1.2): it is renamed `authorization_codes`, and
-- the tokens' `grant_id` columns `authorization_code_id` (issue 13). Everything is renamed in place, so
-- rows, indexes and foreign keys are kept, nothing is rebuilt or revalidated. drizzle-kit generated
-- DROP and CREATE for the indexes and foreign keys (their names follow the table's); they are renamed
-- here instead, to the same names, so the schema is exactly the snapshot's. The primary key and the id
-- sequence, which the snapshot does not name, are renamed too, so no name says `grants` any more.
ALTER TABLE "grants" RENAME TO "authorization_codes";--> statement-breakpoint
ALTER TABLE "access_tokens" RENAME COLUMN "grant_id" TO "authorization_code_id";--> statement-breakpoint
ALTER TABLE "refresh_tokens" RENAME COLUMN "grant_id" TO "authorization_code_id";--> statement-breakpoint
ALTER TABLE "authorization_codes" RENAME CONSTRAINT "grants_pkey" TO "authorization_codes_pkey";--> statement-breakpoint
ALTER SEQUENCE "grants_id_seq" RENAME TO "authorization_codes_id_seq";--> statement-breakpoint
ALTER TABLE "authorization_codes" RENAME CONSTRAINT "grants_application_id_applications_id_fk" TO "authorization_codes_application_id_applications_id_fk";--> statement-breakpoint
ALTER TABLE "authorization_codes" RENAME CONSTRAINT "grants_user_id_users_id_fk" TO "authorization_codes_user_id_users_id_fk";--> statement-breakpoint
ALTER INDEX "access_tokens_grant_idx" RENAME TO "access_tokens_authorization_code_idx";--> statement-breakpoint
ALTER INDEX "grants_code_hash_idx" RENAME TO "authorization_codes_code_hash_idx";--> statement-breakpoint
ALTER INDEX "grants_expires_idx" RENAME TO "authorization_codes_expires_idx";
