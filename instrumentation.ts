// Next.js runs register() once when its server starts. Under server.ts (npm run dev, npm start) the
// settings are already installed and this does nothing. Under plain `next start` / `next dev` it
// checks them now, as server.ts does (lib/server/startup.ts): a production start without
// AUTH_SECRET, or with a bad value, stops at once with one line naming it, instead of serving
// pages that fail at their first request.
export async function register(): Promise<void> {
  // eslint-disable-next-line no-restricted-syntax -- Next.js' build-time constant naming the runtime, not a setting
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { installedSettings } = await import('./lib/env');
  if (installedSettings()) return;
  const { installSettingsAtStart } = await import('./lib/server/startup');
  installSettingsAtStart();
}
