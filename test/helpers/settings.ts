// Settings in tests: built from plain objects by the server's own parser (lib/env.ts loadSettings)
// and installed, never read from or written to process.env. A test file starts with testSettings()
// installed (./setup.ts); startTestServer() installs its database's and port's; withSettings()
// changes some for the length of a function.
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { installSettings, installedSettings, loadSettings, type Limits, type SettingName, type Settings } from '@/lib/env';

/**
 * Settings to change, by the README's variable names, as strings parsed like the environment
 * (`{ ALLOW_PASSWORD_GRANT: 'true' }`; undefined: unset, the default), and limits
 * (`{ limits: { tokenMaxLength: 100 } }`).
 */
export type SettingOverrides = Partial<Record<SettingName, string>> & { limits?: Partial<Limits> };

// One secret per test process, so that no test depends on its value. DATA_DIR: a directory that
// nothing creates unless a test opens the embedded database without a test database of its own.
const BASE = { NODE_ENV: 'test', AUTH_SECRET: crypto.randomBytes(33).toString('base64url'), DATA_DIR: path.join(os.tmpdir(), `oauth-test-unused-${process.pid}`) };

/** The overrides the installed settings were built from (withSettings adds to them). */
let current: SettingOverrides = {};

/** Test settings: the defaults with `overrides`, NODE_ENV=test and a random AUTH_SECRET. Throws ConfigError like the server. */
export function testSettings(overrides: SettingOverrides = {}): Settings {
  const { limits, ...vars } = overrides;
  return loadSettings({ ...BASE, ...vars }, limits);
}

/** Builds testSettings(overrides) and installs them for this test process. */
export function useTestSettings(overrides: SettingOverrides = {}): Settings {
  const s = installSettings(testSettings(overrides));
  current = overrides;
  return s;
}

/**
 * Runs `fn` with the installed settings changed by `overrides` (on top of the ones installed), then
 * restores them, also when `fn` throws. For a test that flips a setting mid-file.
 */
export async function withSettings<T>(overrides: SettingOverrides, fn: () => T | Promise<T>): Promise<T> {
  const saved = { settings: installedSettings(), overrides: current };
  useTestSettings({ ...current, ...overrides, limits: { ...current.limits, ...overrides.limits } });
  try {
    return await fn();
  } finally {
    current = saved.overrides;
    if (saved.settings) installSettings(saved.settings);
  }
}
