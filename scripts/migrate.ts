// npm run db:migrate — applies the committed migrations in drizzle/ (the server also does this at start).
import { runCli } from './cli';
import { getHandle } from '../lib/db';

void runCli(async () => {
  const h = await getHandle(); // opening the database runs the migrations
  console.log(`Migrations applied (${h.driver}).`);
});
