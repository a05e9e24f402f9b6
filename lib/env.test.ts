import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_LIMITS, env, installSettings, installedSettings, loadSettings } from './env';

// The parser is tested on plain objects: the environment of this process is never read or changed.
const load = (vars: Record<string, string | undefined>) => loadSettings({ AUTH_SECRET: 'x'.repeat(40), ...vars });

describe('configuration (lib/env.ts)', () => {
  it("uses django-oauth-toolkit's defaults: port 8000, code 60 s, access token 36000 s", () => {
    const e = load({});
    expect(e.PORT).toBe(8000);
    expect(e.AUTHORIZATION_CODE_EXPIRE_SECONDS).toBe(60);
    expect(e.ACCESS_TOKEN_EXPIRE_SECONDS).toBe(36000);
    expect(e.ISSUER).toBe('http://localhost:8000');
    expect(e.PKCE_REQUIRED).toBe(true);
    expect(e.DEFAULT_SCOPES).toEqual(['read', 'write']);
  });

  it('stops with one line naming the variable for a bad value', () => {
    expect(() => load({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => load({ PORT: 'eighty' })).toThrow(/^Invalid configuration: PORT /);
    expect(() => load({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => load({ PKCE_REQUIRED: 'maybe' })).toThrow(/PKCE_REQUIRED/);
    expect(() => load({ DEFAULT_SCOPES: 'read admin' })).toThrow(/DEFAULT_SCOPES/);
    // Codes live 60 s or less.
    expect(() => load({ AUTHORIZATION_CODE_EXPIRE_SECONDS: '61' })).toThrow(/AUTHORIZATION_CODE_EXPIRE_SECONDS/);
  });

  it('requires AUTH_SECRET in production', () => {
    expect(() => load({ NODE_ENV: 'production', AUTH_SECRET: undefined })).toThrow(/AUTH_SECRET is required in production/);
    expect(() => load({ AUTH_SECRET: 'short' })).toThrow(/AUTH_SECRET/);
  });

  it('client registration is closed by default; REGISTRATION=token needs a REGISTRATION_TOKEN of at least 32 characters; loopback metadata documents are off', () => {
    expect(load({})).toMatchObject({ REGISTRATION: 'closed', CLIENT_METADATA_ALLOW_LOOPBACK: false, REGISTRATION_MAX_PER_IP: 10 });
    expect(() => load({ REGISTRATION: 'token' })).toThrow(/REGISTRATION_TOKEN is required when REGISTRATION=token/);
    expect(() => load({ REGISTRATION: 'token', REGISTRATION_TOKEN: 'short' })).toThrow(/REGISTRATION_TOKEN/);
    expect(() => load({ REGISTRATION: 'sometimes' })).toThrow(/REGISTRATION/);
    expect(load({ REGISTRATION: 'token', REGISTRATION_TOKEN: 'x'.repeat(32) }).REGISTRATION).toBe('token');
  });

  it('PORT overrides the port and the default issuer', () => {
    const e = load({ PORT: '9001', ISSUER: undefined });
    expect(e.ISSUER).toBe('http://localhost:9001');
  });

  it('reads only the variables it knows, from the object it is given', () => {
    const e = load({ ISSUER: 'https://id.example.com/', SOMETHING_ELSE: 'x' });
    expect(e.ISSUER).toBe('https://id.example.com');
    expect(e).not.toHaveProperty('SOMETHING_ELSE');
  });

  it('without AUTH_SECRET outside production, generates one in DATA_DIR/auth-secret (mode 0600) and reuses it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-env-'));
    try {
      const first = load({ AUTH_SECRET: undefined, DATA_DIR: dir });
      const file = path.join(dir, 'auth-secret');
      expect(first.AUTH_SECRET_FILE).toBe(file);
      expect(first.AUTH_SECRET.length).toBeGreaterThanOrEqual(32);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(load({ AUTH_SECRET: undefined, DATA_DIR: dir }).AUTH_SECRET).toBe(first.AUTH_SECRET);
      expect(load({ DATA_DIR: dir }).AUTH_SECRET_FILE).toBeNull();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('limits (Settings.limits)', () => {
  it('are the documented defaults unless replaced, and a replaced one must be a number ≥ 0 that exists', () => {
    expect(load({}).limits).toEqual(DEFAULT_LIMITS);
    expect(load({}).limits.tokenMaxLength).toBe(4096);
    const s = loadSettings({ AUTH_SECRET: 'x'.repeat(40) }, { tokenMaxLength: 100 });
    expect(s.limits).toEqual({ ...DEFAULT_LIMITS, tokenMaxLength: 100 });
    expect(() => loadSettings({ AUTH_SECRET: 'x'.repeat(40) }, { tokenMaxLength: -1 })).toThrow(/^Invalid configuration: limits\.tokenMaxLength /);
    expect(() => loadSettings({ AUTH_SECRET: 'x'.repeat(40) }, { tokenMaxLength: NaN })).toThrow(ConfigError);
    expect(() => loadSettings({ AUTH_SECRET: 'x'.repeat(40) }, { nope: 1 } as never)).toThrow(/limits\.nope is not a limit/);
  });

  it('settings and their limits are frozen: a module cannot change them for the others', () => {
    const s = load({});
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.limits)).toBe(true);
  });
});

describe('installing settings (installSettings, env)', () => {
  it('env() answers the installed value itself (a property read, no parse), and sets next-auth AUTH_URL to the issuer origin', () => {
    const saved = installedSettings()!;
    const s = load({ ISSUER: 'https://id.example.com/base' });
    try {
      expect(installSettings(s)).toBe(s);
      expect(env()).toBe(s);
      expect(env()).toBe(env());
      // next-auth v5 reads AUTH_URL from process.env only: the one side effect of installing.
      expect(process.env.AUTH_URL).toBe('https://id.example.com');
    } finally {
      installSettings(saved);
    }
    expect(env()).toBe(saved);
  });
});
