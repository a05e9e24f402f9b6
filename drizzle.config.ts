import { defineConfig } from 'drizzle-kit';

// Migrations are generated from lib/db/schema.ts (npm run db:generate) and committed in drizzle/.
export default defineConfig({
  dialect: 'postgresql',
  schema: './lib/db/schema.ts',
  out: './drizzle',
});
