// The authorization endpoint's one error type (lib/oauth/errors.ts AuthorizationError): whether it
// may redirect is decided when it is made, and only a verified redirect URI ever gets one.
import { describe, expect, it, vi } from 'vitest';
import { AuthorizationError, authorizationResponseUri, invalidScope, OAuthError, type ClientRedirect } from './errors';

const TO: ClientRedirect = { redirectUri: 'https://client.example/cb?tenant=1', state: 'a b&c=d', iss: 'https://as.example' };

describe('AuthorizationError (RFC 6749 §4.1.2.1)', () => {
  it('RFC 6749 §4.1.2.1: an error before the client and redirect URI are verified is a page, never a Location', () => {
    const e = AuthorizationError.page({ title: 'Invalid client', message: 'No application is registered with this client_id.', hint: 'Check it.' }, 400, 'invalid_client');
    expect(e).toBeInstanceOf(OAuthError);
    expect(e.location).toBeNull();
    expect(e.redirect).toBeNull();
    expect(e.status).toBe(400);
    expect(e.code).toBe('invalid_client');
    expect(e.page).toEqual({ title: 'Invalid client', message: 'No application is registered with this client_id.', hint: 'Check it.' });
    // Page words may hold any character: they are not an error_description.
    expect(() => AuthorizationError.page({ title: 'Application suspended', message: 'This application (“x”) is suspended.' }, 403)).not.toThrow();
  });

  it('RFC 6749 §4.1.2.1, RFC 9207 §2: an error for the client goes to its verified redirect URI with error, error_description, state and iss, its registered query kept', () => {
    const e = AuthorizationError.toClient(invalidScope("Unknown scope 'admin'."), TO);
    const u = new URL(e.location!);
    expect(`${u.origin}${u.pathname}`).toBe('https://client.example/cb');
    expect([...u.searchParams]).toEqual([
      ['tenant', '1'],
      ['error', 'invalid_scope'],
      ['error_description', "Unknown scope 'admin'."],
      ['state', 'a b&c=d'],
      ['iss', 'https://as.example'],
    ]);
  });

  it('RFC 6749 §4.1.2.1: state is sent back only when there is one; error_description only when there is one', () => {
    const u = new URL(AuthorizationError.toClient(new OAuthError('access_denied'), { redirectUri: 'https://client.example/cb', iss: 'https://as.example' }).location!);
    expect([...u.searchParams.keys()]).toEqual(['error', 'iss']);
  });

  it('an unexpected failure after verification goes to the client as server_error, logged, its message never shown', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const e = AuthorizationError.toClient(new Error('connection reset: secret-detail'), TO);
    spy.mockRestore();
    expect(e.code).toBe('server_error');
    expect(e.location).not.toContain('secret-detail');
    expect(new URL(e.location!).searchParams.get('error')).toBe('server_error');
  });

  it('an AuthorizationError passes toClient unchanged: a page stays a page, whatever redirect URI is at hand', () => {
    const page = AuthorizationError.page({ title: 'Invalid callback URL', message: 'Not registered.' });
    expect(AuthorizationError.toClient(page, TO)).toBe(page);
    expect(AuthorizationError.toClient(page, TO).location).toBeNull();
  });

  it('RFC 6749 §4.1.2: the success response uses the same URI rules (code, then state and iss)', () => {
    expect(authorizationResponseUri(TO, { code: 'c0de', error: undefined })).toBe('https://client.example/cb?tenant=1&code=c0de&state=a+b%26c%3Dd&iss=https%3A%2F%2Fas.example');
  });
});
