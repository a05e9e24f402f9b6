// The settings fixture of test/endpoints/protected-resource/: what its test servers run with. Empty
// means lib/env.ts's defaults (the README's settings table); a test file adds only the settings its
// own rule needs.
import type { SettingOverrides } from '@/test/helpers/settings';

export const settings: Readonly<SettingOverrides> = {};
