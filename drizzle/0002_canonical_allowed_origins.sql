-- Allowed origins in their canonical form (RFC 6454 §6.2), as canonicalOrigin() in lib/canonical.ts
-- writes them and as browsers send Origin: lower case, no leading zeros in the port, no default port
-- (https :443, http :80), each origin once (first position kept). Stored origins are ASCII (the form
-- refused anything else), so lower() is the whole host mapping. Data only; the version bump makes
-- open edit forms and client caches see the change. Redirect URIs are left as they are: they are
-- compared exactly, so the application's page flags any that is not canonical instead.
UPDATE "applications" AS a
SET "allowed_origins" = c."origins", "version" = a."version" + 1
FROM (
  SELECT "id", ARRAY(
    SELECT o FROM (
      SELECT regexp_replace(regexp_replace(regexp_replace(lower(x), ':0+([0-9]+)$', ':\1'), '^(https://.*):443$', '\1'), '^(http://.*):80$', '\1') AS o,
             min(n) AS first
      FROM unnest("allowed_origins") WITH ORDINALITY AS t(x, n)
      GROUP BY 1
    ) u ORDER BY first
  ) AS "origins"
  FROM "applications"
) AS c
WHERE c."id" = a."id" AND c."origins" IS DISTINCT FROM a."allowed_origins";
