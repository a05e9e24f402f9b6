import { PGlite } from '@electric-sql/pglite';
const db = new PGlite(process.argv[2]);
for (const q of ["select type, application_id, count(*) from audit_events group by 1,2 order by 1", "select * from usage_daily order by 1,2,3", "select count(*) from usage_daily_users"]) {
  console.log((await db.query(q)).rows);
}
