import { defineConfig } from 'vitest/config';

// Unit tests sit beside their modules (lib/**/*.test.ts); integration tests live in test/ and run
// over real HTTP against the production door, on PGlite and (TEST_DATABASE_URL) on PostgreSQL.
export default defineConfig({
  resolve: { alias: { '@': import.meta.dirname } },
  test: {
    include: ['lib/**/*.test.ts', 'test/**/*.test.ts'],
    // Test settings installed in every file: no test reads or writes process.env for settings.
    setupFiles: ['test/helpers/setup.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    // Each file gets its own process, server and database.
    isolate: true,
  },
});
