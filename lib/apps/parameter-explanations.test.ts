// Every parameter and header of every playground request has its sentence and RFC link
// (lib/apps/parameter-explanations.ts), for every kind of application.
import { describe, expect, it } from 'vitest';
import { GRANT_AUTHORIZATION_CODE, GRANT_CLIENT_CREDENTIALS, GRANT_DEVICE_CODE, GRANT_REFRESH_TOKEN } from '../oauth/grants/catalogue';
import { STEP_KINDS, connectSnippets, type SnippetApp } from './snippets';
import { PARAMETER_EXPLANATIONS, explainParameter } from './parameter-explanations';

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
      }
      for (const n of names) expect(explainParameter(n), n).not.toBeNull();
    }
    for (const e of Object.values(PARAMETER_EXPLANATIONS)) expect(e.href).toMatch(/^https:\/\/(www\.rfc-editor\.org\/rfc\/rfc\d+#section-[\d.]+|openid\.net\/specs\/)/);
    expect(explainParameter('__proto__')).toBeNull();
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
