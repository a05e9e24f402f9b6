// The playground's error catalogue (lib/apps/error-explanations.ts): each answer this server gives
// is matched to the explanation of its cause, by error code, endpoint and error_description. The
// descriptions are the server's own (lib/oauth/grants/*, lib/oauth/client-auth.ts).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_EXPLANATIONS, challengeError, explainError } from './error-explanations';
import { CONSENT_DENY_LABEL, DEVICE_DENY_LABEL } from '../oauth/decision-labels';

describe('playground error explanations', () => {
  it('RFC 6749 §5.2: invalid_client at the token endpoint says the secret is wrong and how to get it', () => {
    const e = explainError('token', 'invalid_client', 'Client authentication failed.');
    expect(e?.meaning).toMatch(/secret is wrong/);
    expect(e?.fix).toMatch(/Regenerate/);
    expect(explainError('token', 'invalid_client', 'This application is suspended.')?.meaning).toMatch(/suspended/);
  });

  it('RFC 6749 §5.2: invalid_grant is explained by its cause (expired, redirect_uri, PKCE verifier, used code, rotated refresh token)', () => {
    const cases: [string, RegExp][] = [
      ['The authorization code has expired.', /older than its lifetime/],
      ['redirect_uri does not match the one used in the authorization request.', /not the one the authorization request named/],
      ['code_verifier is required: the authorization request had a code_challenge.', /no code_verifier/],
      ['code_verifier does not match the code_challenge.', /does not hash to/],
      ['The authorization code is invalid, expired or already used.', /already used/],
      ['The refresh token is invalid, expired or revoked.', /rotates refresh tokens/],
      ['Something new.', /not valid for this application/],
    ];
    for (const [description, meaning] of cases) expect(explainError('token', 'invalid_grant', description)?.meaning, description).toMatch(meaning);
  });

  it('RFC 7636 §4.4.1: a missing code_challenge is invalid_request explained as PKCE required', () => {
    expect(explainError('callback', 'invalid_request', "code_challenge is required (PKCE). Use 'Authorization Code (With PKCE)'")?.meaning).toMatch(/requires PKCE/);
    expect(explainError('token', 'invalid_request', "The parameter 'code' is missing.")?.meaning).toMatch(/missing/);
  });

  it('RFC 8628 §3.5: authorization_pending, slow_down and expired_token at the token endpoint; access_denied there is the device user’s no', () => {
    expect(explainError('token', 'authorization_pending')?.meaning).toMatch(/not approved/);
    expect(explainError('token', 'slow_down')?.fix).toMatch(/5 seconds/);
    expect(explainError('token', 'expired_token')?.fix).toMatch(/new device authorization/);
    expect(explainError('token', 'access_denied')?.meaning).toMatch(/device/);
    expect(explainError('token', 'access_denied')?.meaning).toContain(`clicked ${DEVICE_DENY_LABEL}`);
  });

  it('RFC 6749 §4.1.2: invalid_grant for a reused code says the server revoked the tokens of the first exchange', () => {
    const ex = explainError('token', 'invalid_grant', 'The authorization code is invalid, expired or already used.');
    expect(ex?.meaning).toMatch(/already used/);
    expect(ex?.meaning).toMatch(/revoked the tokens of its first exchange/);
  });

  it('RFC 6749 §4.1.2.1: access_denied at the callback names the consent page’s own refusal button (Cancel), read from one place', () => {
    expect(CONSENT_DENY_LABEL).toBe('Cancel');
    expect(explainError('callback', 'access_denied')?.meaning).toContain('clicked Cancel on the consent page');
    // The pages render the labels from lib/oauth/decision-labels.ts, not their own words.
    expect(fs.readFileSync('app/o/authorize/consent/page.tsx', 'utf8')).toContain('{CONSENT_DENY_LABEL}');
    expect(fs.readFileSync('app/o/device/page.tsx', 'utf8')).toContain('{DEVICE_DENY_LABEL}');
  });

  it('RFC 6749 §4.1.2.1: an unregistered redirect_uri at authorize is explained with the fix of adding it', () => {
    expect(explainError('authorization', 'redirect_uri_mismatch')?.fix).toMatch(/redirect URIs/);
  });

  it('RFC 6750 §3.1: invalid_token and insufficient_scope at UserInfo, read from the WWW-Authenticate challenge', () => {
    const c = challengeError('Bearer realm="userinfo", error="invalid_token", error_description="The access token is \\"gone\\"."');
    expect(c).toEqual({ error: 'invalid_token', description: 'The access token is "gone".' });
    expect(explainError('userinfo', c!.error, c!.description)?.meaning).toMatch(/expired or revoked/);
    expect(explainError('userinfo', 'insufficient_scope')?.meaning).toMatch(/openid/);
    expect(challengeError('Bearer realm="userinfo"')).toBeNull();
  });

  it('an error not answered at that endpoint, or unknown, has no explanation', () => {
    expect(explainError('userinfo', 'authorization_pending')).toBeNull();
    expect(explainError('token', 'no_such_error')).toBeNull();
  });

  it('RFC 6749 §5.2: every error code the token endpoint can answer has an explanation there', () => {
    for (const code of ['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope']) {
      expect(explainError('token', code, ''), code).not.toBeNull();
    }
    expect(ERROR_EXPLANATIONS.every((e) => e.meaning.length > 10 && e.fix.length > 5)).toBe(true);
  });
});
