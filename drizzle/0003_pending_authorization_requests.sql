CREATE TABLE "authorization_requests" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"request_id_hash" text NOT NULL,
	"application_id" bigint NOT NULL,
	"params" jsonb NOT NULL,
	"session_sid_hash" text,
	"login_after" timestamp with time zone,
	"client_ip" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "authorization_requests" ADD CONSTRAINT "authorization_requests_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "authorization_requests_id_hash_idx" ON "authorization_requests" USING btree ("request_id_hash");--> statement-breakpoint
CREATE INDEX "authorization_requests_expires_idx" ON "authorization_requests" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "authorization_requests_client_ip_idx" ON "authorization_requests" USING btree ("client_ip","id");