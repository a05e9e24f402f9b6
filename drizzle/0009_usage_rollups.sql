CREATE TABLE "usage_daily" (
	"day" date NOT NULL,
	"application_id" bigint NOT NULL,
	"metric" text NOT NULL,
	"dimension" text DEFAULT '' NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "usage_daily_application_id_day_metric_dimension_pk" PRIMARY KEY("application_id","day","metric","dimension")
);
--> statement-breakpoint
CREATE TABLE "usage_daily_users" (
	"day" date NOT NULL,
	"application_id" bigint NOT NULL,
	"user_id" uuid NOT NULL,
	CONSTRAINT "usage_daily_users_application_id_day_user_id_pk" PRIMARY KEY("application_id","day","user_id")
);
--> statement-breakpoint
CREATE INDEX "usage_daily_day_idx" ON "usage_daily" USING btree ("day","metric");--> statement-breakpoint
CREATE INDEX "usage_daily_users_day_idx" ON "usage_daily_users" USING btree ("day");--> statement-breakpoint
-- The events written before the rollups existed (lib/db/queries/audit.ts rebuildUsageRollups does the same).
INSERT INTO "usage_daily" ("day", "application_id", "metric", "dimension", "count")
SELECT (at AT TIME ZONE 'UTC')::date, coalesce(application_id, 0), type,
  CASE type WHEN 'token.issued' THEN coalesce(detail->>'grant_type', '') WHEN 'rate_limit.refused' THEN coalesce(detail->>'limit', '') ELSE '' END,
  count(*)
FROM "audit_events" GROUP BY 1, 2, 3, 4;--> statement-breakpoint
INSERT INTO "usage_daily_users" ("day", "application_id", "user_id")
SELECT DISTINCT (at AT TIME ZONE 'UTC')::date, v.a, actor_user_id
FROM "audit_events", LATERAL (VALUES (coalesce(application_id, 0)), (0::bigint)) AS v(a)
WHERE type = 'token.issued' AND actor_user_id IS NOT NULL;--> statement-breakpoint
INSERT INTO "usage_daily" ("day", "application_id", "metric", "dimension", "count")
SELECT day, application_id, 'active_users', '', count(*) FROM "usage_daily_users" GROUP BY 1, 2;
