// The settings fixture of test/features/outage/: what its test servers run with. Empty means lib/env.ts's
// defaults (the README's settings table); a test file adds only the settings its own rule needs.
import type { SettingOverrides } from '@/test/helpers/settings';

// Outages are answered within DB_TIMEOUT_MS (+ 1 s on a silent connection): short, so the tests are.
export const settings: Readonly<SettingOverrides> = { DB_TIMEOUT_MS: '2000' };
