// Every parameter and header of every playground request has its sentence and RFC link
// (lib/apps/parameter-explanations.ts), for every kind of application.
import { describe, expect, it } from 'vitest';
import { GRANT_AUTHORIZATION_CODE, GRANT_CLIENT_CREDENTIALS, GRANT_DEVICE_CODE, GRANT_REFRESH_TOKEN } from '../oauth/grants/catalogue';
import { STEP_KINDS, connectSnippets, type SnippetApp } from './snippets';
import { PARAMETER_EXPLANATIONS, PARAMETER_VARIANTS, explainParameter } from './parameter-explanations';

const grants = [GRANT_AUTHORIZATION_CODE, GRANT_REFRESH_TOKEN, GRANT_CLIENT_CREDENTIALS, GRANT_DEVICE_CODE];
const apps: SnippetApp[] = [
  { clientId: 'c', clientType: 'confidential', redirectUris: ['http://localhost/cb'], grantTypes: grants, algorithm: 'RS256', hasSecret: true, secretHashed: true },
  { clientId: 'p', clientType: 'public', redirectUris: ['http://localhost/cb'], grantTypes: grants, algorithm: 'RS256', hasSecret: false, secretHashed: false },
];
const server = { scopes: ['openid', 'read', 'write', 'introspection'], introspectionScope: 'introspection' };

describe('playground parameter explanations', () => {
  it('every parameter and header of every step request, and of the authorization request, is explained with an RFC link', () => {
    for (const app of apps) {
      const s = connectSnippets(app, 'http://localhost:1', server);
      const pkce = { verifier: 'v', challenge: 'c', state: 's' };
      const names = s.authorizeParams(pkce, { nonce: 'n' }).map(([k]) => k);
      for (const kind of STEP_KINDS) {
        const r = s.resolveRequest(s.request(kind, { code: null, pkce, tokens: null }), 'secret');
        names.push(...r.params.map(([k]) => k), ...r.headers.map(([k]) => k));
        // Each parameter as sent there: every link names the RFC of the endpoint it goes to.
        for (const [k, v] of [...r.params, ...r.headers]) {
          const ex = explainParameter(k, { endpoint: r.endpoint, value: v });
          expect(ex, `${kind} ${k}`).not.toBeNull();
          if (r.endpoint === 'revocation' && k !== 'client_id' && k !== 'client_secret') expect(ex!.section, `${kind} ${k}`).toBe('RFC 7009 §2.1');
          if (r.endpoint === 'introspection' && k !== 'client_id') expect(ex!.section, `${kind} ${k}`).toBe('RFC 7662 §2.1');
        }
      }
      for (const n of names) expect(explainParameter(n), n).not.toBeNull();
    }
    const variants = Object.values(PARAMETER_VARIANTS).flatMap((vs) => vs.map((v) => v.explanation));
    for (const e of [...Object.values(PARAMETER_EXPLANATIONS), ...variants]) expect(e.href).toMatch(/^https:\/\/(www\.rfc-editor\.org\/rfc\/rfc\d+#section-[\d.]+|openid\.net\/specs\/)/);
    expect(explainParameter('__proto__')).toBeNull();
  });

  it('RFC 7009 §2.1: revocation’s token and token_type_hint link RFC 7009, introspection’s RFC 7662 §2.1 (one name, one meaning per endpoint)', () => {
    expect(explainParameter('token', { endpoint: 'revocation' })).toMatchObject({ section: 'RFC 7009 §2.1', href: 'https://www.rfc-editor.org/rfc/rfc7009#section-2.1' });
    expect(explainParameter('token', { endpoint: 'introspection' })).toMatchObject({ section: 'RFC 7662 §2.1', href: 'https://www.rfc-editor.org/rfc/rfc7662#section-2.1' });
    expect(explainParameter('token_type_hint', { endpoint: 'revocation' })?.section).toBe('RFC 7009 §2.1');
    expect(explainParameter('token_type_hint', { endpoint: 'introspection' })?.section).toBe('RFC 7662 §2.1');
    expect(explainParameter('grant_type', { endpoint: 'token', value: 'client_credentials' })?.section).toBe('RFC 6749 §4.4.2');
    expect(explainParameter('grant_type', { endpoint: 'token', value: 'refresh_token' })?.section).toBe('RFC 6749 §6');
    expect(explainParameter('grant_type', { endpoint: 'token', value: 'urn:ietf:params:oauth:grant-type:device_code' })?.section).toBe('RFC 8628 §3.4');
  });

  it('RFC 7662 §2.1: the introspection request says what authorizes it: the client’s own credentials, or a bearer token with the introspection scope', () => {
    expect(explainParameter('client_secret', { endpoint: 'introspection' })?.text).toMatch(/own client_id and client secret/);
    expect(explainParameter('Authorization', { endpoint: 'introspection' })?.text).toMatch(/bearer token carrying the introspection scope/);
    expect(explainParameter('Authorization', { endpoint: 'userinfo' })?.section).toBe('RFC 6750 §2.1');
  });

  it('RFC 6749 §2.3.1: the typed secret goes into client_secret only, marked secret; the snippets keep $CLIENT_SECRET', () => {
    const s = connectSnippets(apps[0], 'http://localhost:1', server);
    const call = s.request('client_credentials', { code: null, pkce: null, tokens: null });
    const r = s.resolveRequest(call, 'typed-secret');
    expect(r.params).toContainEqual(['client_secret', 'typed-secret']);
    expect(r.secretParams).toEqual(['client_secret']);
    expect(s.curl(call)).not.toContain('typed-secret');
    expect(s.curl(call)).toContain('CLIENT_SECRET');
  });
});
