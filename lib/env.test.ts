import { afterEach, describe, expect, it } from 'vitest';
import { env, resetEnvForTests, ConfigError } from './env';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  resetEnvForTests();
});

function load(vars: Record<string, string | undefined>) {
  process.env = { ...saved, AUTH_SECRET: 'x'.repeat(40), ...vars };
  resetEnvForTests();
  return env();
}

describe('configuration (lib/env.ts)', () => {
  it("uses django-oauth-toolkit's defaults: port 8000, code 60 s, access token 36000 s", () => {
    const e = load({ PORT: undefined, AUTHORIZATION_CODE_EXPIRE_SECONDS: undefined, ACCESS_TOKEN_EXPIRE_SECONDS: undefined, ISSUER: undefined });
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

  it('PORT overrides the port and the default issuer', () => {
    const e = load({ PORT: '9001', ISSUER: undefined });
    expect(e.ISSUER).toBe('http://localhost:9001');
  });
});
