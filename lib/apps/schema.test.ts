import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GRANT_TYPES,
  GRANT_DEVICE_CODE,
  GRANT_TYPES,
  grantTypeLabel,
  MESSAGES,
  canonicalSpellingOf,
  defaultFormValues,
  formValues,
  parseApplicationForm,
  parseApplicationId,
  parseApplicationValues,
  type ApplicationFormValues,
} from './schema';

const POSTMAN = 'https://www.getpostman.com/oauth2/callback';
const CLIENT_ID = 'A'.repeat(20) + 'b'.repeat(10) + '0123456789';

function values(over: Partial<ApplicationFormValues> = {}): ApplicationFormValues {
  return { ...defaultFormValues(CLIENT_ID), name: 'Postman', redirectUris: POSTMAN, ...over };
}

function errorsOf(over: Partial<ApplicationFormValues>) {
  const r = parseApplicationValues(values(over));
  if (r.success) throw new Error('expected errors');
  return r.errors;
}

describe('constants', () => {
  it('lists the six grant types with the tutorial labels, legacy ones marked deprecated (RFC 9700 §2.1.2 implicit, RFC 9700 §2.4 password)', () => {
    expect(GRANT_TYPES).toEqual(['authorization_code', 'client_credentials', GRANT_DEVICE_CODE, 'refresh_token', 'password', 'implicit']);
    expect(grantTypeLabel('authorization_code')).toBe('Authorization code');
    expect(grantTypeLabel('password')).toMatch(/\(deprecated\)$/);
    expect(grantTypeLabel('implicit')).toMatch(/\(deprecated\)$/);
    expect(grantTypeLabel('refresh_token')).not.toMatch(/deprecated/);
  });

  it('checks Authorization code and Refresh token by default, and hashes the secret by default', () => {
    const d = defaultFormValues(CLIENT_ID);
    expect(d.grantTypes).toEqual([...DEFAULT_GRANT_TYPES]);
    expect(d.grantTypes).toEqual(['authorization_code', 'refresh_token']);
    expect(d.hashClientSecret).toBe(true);
    expect(d.skipAuthorization).toBe(false);
    expect(d.clientType).toBe('confidential');
    expect(d.algorithm).toBe('');
  });
});

describe('applicationSchema', () => {
  it('accepts the tutorial application (Confidential, Authorization code, Postman callback)', () => {
    const r = parseApplicationValues(values({ grantTypes: ['authorization_code'] }));
    expect(r.success).toBe(true);
    if (!r.success) return;
    expect(r.data).toMatchObject({
      name: 'Postman',
      clientId: CLIENT_ID,
      clientType: 'confidential',
      grantTypes: ['authorization_code'],
      redirectUris: [POSTMAN],
      postLogoutRedirectUris: [],
      allowedOrigins: [],
      algorithm: '',
      hashClientSecret: true,
      clientSecret: '',
    });
  });

  it('splits uri lists on spaces and newlines, dropping empties and duplicates', () => {
    const r = parseApplicationValues(
      values({ redirectUris: ` ${POSTMAN}\n\nhttp://127.0.0.1:8080/cb  com.example.app:/cb ${POSTMAN}`, allowedOrigins: 'https://a.example\r\nhttp://localhost:3000' }),
    );
    expect(r.success && r.data.redirectUris).toEqual([POSTMAN, 'http://127.0.0.1:8080/cb', 'com.example.app:/cb']);
    expect(r.success && r.data.allowedOrigins).toEqual(['https://a.example', 'http://localhost:3000']);
  });

  it('requires a name of at most 255 characters', () => {
    expect(errorsOf({ name: '   ' }).name).toEqual([MESSAGES.nameRequired]);
    expect(errorsOf({ name: 'x'.repeat(256) }).name).toEqual([MESSAGES.nameTooLong]);
    expect(parseApplicationValues(values({ name: 'x'.repeat(255) })).success).toBe(true);
  });

  it.each([
    ['http on a non-loopback host', 'http://example.com/cb', /must use https/],
    ['a fragment (RFC 6749 §3.1.2)', 'https://app.example/cb#x', /fragment/],
    ['userinfo (CVE-2024-8883)', 'https://localhost@evil.example/cb', /user credentials/],
    ['a relative URI', '/cb', /absolute URI/],
    ['a non-reverse-domain custom scheme (RFC 8252 §7.1)', 'myapp:/cb', /reverse-domain/],
    ['javascript:', 'javascript:alert(1)', /not allowed/],
  ])('rejects a redirect uri with %s', (_what, uri, re) => {
    const e = errorsOf({ redirectUris: uri }).redirectUris;
    expect(e).toHaveLength(1);
    expect(e![0]).toMatch(re);
  });

  it('accepts https, http on loopback and private-use schemes as redirect uris', () => {
    for (const uri of [POSTMAN, 'http://127.0.0.1/cb', 'http://[::1]:9000/cb', 'http://localhost:3000/cb', 'com.example.app:/oauth2redirect']) {
      expect(parseApplicationValues(values({ redirectUris: uri })).success, uri).toBe(true);
    }
  });

  it('reports each bad redirect uri on its own line, naming it, however many there are', () => {
    const bad = [1, 2, 3, 4, 5].map((n) => `http://a.example/${n}`);
    const e = errorsOf({ redirectUris: `${POSTMAN} ${bad.join(' ')}` }).redirectUris;
    expect(e).toHaveLength(5);
    bad.forEach((uri, i) => expect(e![i]).toContain(`'${uri}'`));
  });

  it('needs a redirect uri for Authorization code and for Implicit', () => {
    expect(errorsOf({ redirectUris: '' }).redirectUris).toEqual(['Authorization code needs at least one redirect URI.']);
    expect(errorsOf({ redirectUris: '', grantTypes: ['implicit'] }).redirectUris).toEqual(['Implicit needs at least one redirect URI.']);
    expect(parseApplicationValues(values({ redirectUris: '', grantTypes: ['client_credentials'] })).success).toBe(true);
    expect(parseApplicationValues(values({ redirectUris: '', grantTypes: [GRANT_DEVICE_CODE, 'refresh_token'] })).success).toBe(true);
  });

  it('checks post logout redirect uris with the redirect uri rules, naming the field', () => {
    const e = errorsOf({ postLogoutRedirectUris: 'http://example.com/bye' }).postLogoutRedirectUris;
    expect(e![0]).toMatch(/^Post logout redirect URI must use https/);
    expect(parseApplicationValues(values({ postLogoutRedirectUris: 'https://app.example/bye' })).success).toBe(true);
  });

  it.each([
    ['a path', 'https://app.example/', /path/],
    ['http on a non-loopback host', 'http://app.example', /must use https/],
    ['a query', 'https://app.example?x', /query/],
    ['no scheme', 'app.example', /scheme:\/\/host/],
  ])('rejects an allowed origin with %s', (_what, origin, re) => {
    expect(errorsOf({ allowedOrigins: origin }).allowedOrigins![0]).toMatch(re);
  });

  it('RFC 6454: stores allowed origins in canonical form (lower case, punycode, no default port); two spellings of one origin become one', () => {
    const r = parseApplicationValues(
      values({ allowedOrigins: 'https://SPA.Example.org https://spa2.example.org:443 https://spa.example.org:443 https://bücher.example http://LOCALHOST:3000' }),
    );
    expect(r.success && r.data.allowedOrigins).toEqual(['https://spa.example.org', 'https://spa2.example.org', 'https://xn--bcher-kva.example', 'http://localhost:3000']);
  });

  it('RFC 9700 §4.1.3: refuses a redirect URI that is not in canonical form, one line per bad value naming it and the form to enter', () => {
    const e = errorsOf({ redirectUris: `${POSTMAN} HTTPS://App.Example/cb https://app.example:443/cb https://app.example` }).redirectUris;
    expect(e).toEqual([
      MESSAGES.redirectNotCanonical('HTTPS://App.Example/cb', 'https://app.example/cb'),
      MESSAGES.redirectNotCanonical('https://app.example:443/cb', 'https://app.example/cb'),
      MESSAGES.redirectNotCanonical('https://app.example', 'https://app.example/'),
    ]);
    expect(e![0]).toBe('Redirect URI "HTTPS://App.Example/cb" is not in canonical form; enter https://app.example/cb (redirect URIs must match exactly, so clients must send this spelling).');
    const p = errorsOf({ postLogoutRedirectUris: 'https://App.example/bye' }).postLogoutRedirectUris;
    expect(p).toEqual([MESSAGES.redirectNotCanonical('https://App.example/bye', 'https://app.example/bye').replace(/^Redirect URI/, 'Post logout redirect URI')]);
    expect(errorsOf({ redirectUris: 'http://127.0.0.1:80/a/../cb' }).redirectUris![0]).toContain('enter http://127.0.0.1/cb');
  });

  it('needs at least one grant type and refuses unknown ones', () => {
    expect(errorsOf({ grantTypes: [] }).grantTypes).toEqual([MESSAGES.grantRequired]);
    expect(errorsOf({ grantTypes: ['authorization_code', 'magic'] }).grantTypes).toBeDefined();
  });

  it('keeps grant types in canonical order without duplicates', () => {
    const r = parseApplicationValues(values({ grantTypes: ['refresh_token', 'authorization_code', 'refresh_token'] }));
    expect(r.success && r.data.grantTypes).toEqual(['authorization_code', 'refresh_token']);
  });

  it('refuses Client credentials and Password for public clients (RFC 6749 §4.4), on the grant field', () => {
    const e = errorsOf({ clientType: 'public', grantTypes: ['authorization_code', 'client_credentials'] }).grantTypes;
    expect(e).toHaveLength(1);
    expect(e![0]).toMatch(/^Public clients have no secret, so they cannot use Client credentials/);
    expect(errorsOf({ clientType: 'public', grantTypes: ['password'] }).grantTypes![0]).toMatch(/cannot use Password/);
    expect(errorsOf({ clientType: 'public', grantTypes: ['client_credentials', 'password'] }).grantTypes![0]).toMatch(/Client credentials or Password/);
    expect(parseApplicationValues(values({ clientType: 'public' })).success).toBe(true);
  });

  it('refuses an unknown client type and algorithm', () => {
    expect(errorsOf({ clientType: 'trusted' }).clientType).toEqual([MESSAGES.clientType]);
    expect(errorsOf({ algorithm: 'none' }).algorithm).toEqual([MESSAGES.algorithm]);
  });

  it('refuses HMAC with SHA-2 256 when Hash client secret is on, explaining why (DOT #1737)', () => {
    expect(errorsOf({ algorithm: 'HS256', hashClientSecret: true }).algorithm).toEqual([
      'HS256 signs ID tokens with the client secret, so the secret must stay readable: uncheck Hash client secret, or choose RSA with SHA-2 256.',
    ]);
    expect(parseApplicationValues(values({ algorithm: 'HS256', hashClientSecret: false })).success).toBe(true);
    expect(parseApplicationValues(values({ algorithm: 'RS256', hashClientSecret: true })).success).toBe(true);
  });

  it('refuses HS256 for a public client, which has no secret', () => {
    expect(errorsOf({ clientType: 'public', algorithm: 'HS256', hashClientSecret: false }).algorithm).toEqual([MESSAGES.hs256Public]);
  });

  it('validates a secret of the owner’s own: long enough, printable, not a hash; none for public clients', () => {
    const good = 'x'.repeat(32);
    const r = parseApplicationValues(values({ clientSecret: `  ${good} ` }));
    expect(r.success && r.data.clientSecret).toBe(good);
    expect(errorsOf({ clientSecret: 'short' }).clientSecret).toEqual([MESSAGES.secretTooShort]);
    expect(errorsOf({ clientSecret: 'x'.repeat(256) }).clientSecret).toEqual([MESSAGES.secretTooLong]);
    expect(errorsOf({ clientSecret: 'x'.repeat(20) + ' ' + 'y'.repeat(20) }).clientSecret).toEqual([MESSAGES.secretChars]);
    expect(errorsOf({ clientSecret: '$argon2id$v=19$m=19456,t=2,p=1$abcdefghijklmnop$qrstuvwxyz' }).clientSecret).toEqual([MESSAGES.secretLooksHashed]);
    expect(errorsOf({ clientType: 'public', clientSecret: good }).clientSecret).toEqual([MESSAGES.secretForPublic]);
    expect(parseApplicationValues(values({ clientSecret: '' })).success).toBe(true);
  });

  it('reports every failing field at once', () => {
    const e = errorsOf({ name: '', redirectUris: 'http://example.com/cb', algorithm: 'HS256', allowedOrigins: 'https://x.example/' });
    expect(Object.keys(e).sort()).toEqual(['algorithm', 'allowedOrigins', 'name', 'redirectUris']);
  });

  it('drops a malformed client id (the server then generates one)', () => {
    const r = parseApplicationValues(values({ clientId: 'short' }));
    expect(r.success && r.data.clientId).toBeUndefined();
  });

  it('treats an empty owner as none', () => {
    const r = parseApplicationValues(values({ owner: '  ' }));
    expect(r.success && r.data.owner).toBeUndefined();
  });
});

describe('parseApplicationForm (FormData)', () => {
  it('reads repeated grantTypes and checkbox "on" values', () => {
    const f = new FormData();
    f.set('name', 'Postman');
    f.set('clientType', 'confidential');
    f.append('grantTypes', 'authorization_code');
    f.append('grantTypes', 'refresh_token');
    f.set('redirectUris', POSTMAN);
    f.set('algorithm', 'RS256');
    f.set('hashClientSecret', 'on');
    const v = formValues(f);
    expect(v).toMatchObject({ grantTypes: ['authorization_code', 'refresh_token'], hashClientSecret: true, skipAuthorization: false, owner: undefined });
    const r = parseApplicationForm(f);
    expect(r.success && r.data).toMatchObject({ algorithm: 'RS256', hashClientSecret: true, redirectUris: [POSTMAN] });
  });

  it('reads an unchecked Hash client secret as off', () => {
    const f = new FormData();
    f.set('name', 'HS app');
    f.set('clientType', 'confidential');
    f.append('grantTypes', 'authorization_code');
    f.set('redirectUris', POSTMAN);
    f.set('algorithm', 'HS256');
    const r = parseApplicationForm(f);
    expect(r.success && r.data.hashClientSecret).toBe(false);
  });
});

describe('canonicalSpellingOf (the flag on the application page for redirect URIs stored before the forms required the canonical form)', () => {
  it('names the spelling to enter for a non-canonical URI, and nothing for a canonical one', () => {
    expect(canonicalSpellingOf('HTTPS://App.Example:443/cb')).toBe('https://app.example/cb');
    expect(canonicalSpellingOf('https://app.example')).toBe('https://app.example/');
    expect(canonicalSpellingOf(POSTMAN)).toBeNull();
    expect(canonicalSpellingOf('com.example.app:/cb')).toBeNull();
    expect(canonicalSpellingOf('not a uri')).toBeNull();
  });
});

describe('parseApplicationId', () => {
  it('accepts positive integers only', () => {
    expect(parseApplicationId('1')).toBe(1);
    expect(parseApplicationId('123456')).toBe(123456);
    expect(parseApplicationId(7)).toBe(7);
    for (const bad of ['0', '-1', '01', '1.5', 'abc', '', '1e3', ' 1', '99999999999999999', null, undefined, {}, 0, 1.5, NaN]) {
      expect(parseApplicationId(bad), String(bad)).toBeNull();
    }
  });
});
