import { describe, expect, it } from 'vitest';
import { clientIdUrlProblem, documentLifetimeSeconds, selfRegisteredHost, validateClientMetadataDocument } from './client-metadata';

const URL_ID = 'https://agent.example/client.json';
const doc = (extra: Record<string, unknown> = {}) => JSON.stringify({ client_id: URL_ID, redirect_uris: ['https://agent.example/cb'], ...extra });

describe('Client ID Metadata Documents: the client_id URL', () => {
  it('draft-ietf-oauth-client-id-metadata-document §3: https with a path; no fragment, credentials, dot segments; normal form', () => {
    expect(clientIdUrlProblem(URL_ID, false)).toBeNull();
    expect(clientIdUrlProblem('http://agent.example/client.json', false)).toMatch(/https/);
    expect(clientIdUrlProblem('http://127.0.0.1:8410/client.json', false)).toMatch(/https/);
    expect(clientIdUrlProblem('http://127.0.0.1:8410/client.json', true)).toBeNull();
    expect(clientIdUrlProblem('http://agent.example/client.json', true)).toMatch(/https/);
    expect(clientIdUrlProblem('https://agent.example/', false)).toMatch(/path/);
    expect(clientIdUrlProblem('https://agent.example/c.json#x', false)).not.toBeNull();
    expect(clientIdUrlProblem('https://u:p@agent.example/c.json', false)).toMatch(/credentials/);
    expect(clientIdUrlProblem('https://agent.example/a/../c.json', false)).not.toBeNull();
    expect(clientIdUrlProblem('https://AGENT.example/c.json', false)).toMatch(/normal form/);
  });
});

describe('Client ID Metadata Documents: the document', () => {
  it('a valid document gives a public client named by client_name, else by its host', () => {
    expect(validateClientMetadataDocument(URL_ID, doc({ client_name: 'Agent' }))).toMatchObject({ name: 'Agent', clientType: 'public', grantTypes: ['authorization_code'] });
    expect(validateClientMetadataDocument(URL_ID, doc()).name).toBe('agent.example');
  });
  it('refuses what the client may not claim: another client_id, a secret, private_key_jwt, other grants, bad redirect URIs, non-JSON', () => {
    const bad = [doc({ client_id: 'https://other.example/c.json' }), doc({ client_secret: 'x' }), doc({ token_endpoint_auth_method: 'private_key_jwt' }), doc({ grant_types: ['client_credentials'] }), doc({ redirect_uris: ['http://agent.example/cb'] }), doc({ redirect_uris: [] }), doc({ logo_uri: 'javascript:x' }), '{', '[]'];
    for (const b of bad) expect(() => validateClientMetadataDocument(URL_ID, b), b).toThrow(expect.objectContaining({ code: 'invalid_client' }));
  });
});

describe('Client ID Metadata Documents: how long a document is reused', () => {
  const MIN = 300;
  const MAX = 86400;
  it('a metadata document with NUL (\\u0000), U+202E or another control character in any text field is refused', () => {
    for (const extra of [{ client_name: 'Agent\u0000' }, { client_name: 'Agent \u202egnp' }, { client_uri: 'https://agent.example/\u2066' }, { redirect_uris: ['https://agent.example/cb\u0085'] }]) {
      expect(() => validateClientMetadataDocument(URL_ID, doc(extra)), JSON.stringify(extra)).toThrow(expect.objectContaining({ code: 'invalid_client' }));
    }
  });

  it('RFC 9111 §4.2.1: max-age, else Expires minus Date, clamped; no-store, no-cache or nothing give the minimum', () => {
    expect(documentLifetimeSeconds({ 'cache-control': 'public, max-age=600' }, MIN, MAX)).toBe(600);
    expect(documentLifetimeSeconds({ 'cache-control': 'max-age=10' }, MIN, MAX)).toBe(MIN);
    expect(documentLifetimeSeconds({ 'cache-control': 'max-age=999999' }, MIN, MAX)).toBe(MAX);
    expect(documentLifetimeSeconds({ 'cache-control': 'no-store, max-age=600' }, MIN, MAX)).toBe(MIN);
    expect(documentLifetimeSeconds({ 'cache-control': 'no-cache' }, MIN, MAX)).toBe(MIN);
    const date = 'Mon, 30 Nov 2026 12:00:00 GMT';
    expect(documentLifetimeSeconds({ date, expires: 'Mon, 30 Nov 2026 14:00:00 GMT' }, MIN, MAX)).toBe(7200);
    expect(documentLifetimeSeconds({ expires: 'garbage' }, MIN, MAX)).toBe(MIN);
    expect(documentLifetimeSeconds({}, MIN, MAX)).toBe(MIN);
  });
  it('the not-verified warning names the host the code goes to (the redirect URI), the claimed host only second, and nothing for people’s applications', () => {
    expect(selfRegisteredHost({ registrationMethod: 'metadata_document', clientId: URL_ID, clientUri: null }, 'https://cb.example/x')).toEqual({ sendsTo: 'cb.example', claims: 'agent.example' });
    expect(selfRegisteredHost({ registrationMethod: 'dynamic', clientId: 'abc', clientUri: 'https://bank.example/' }, 'https://evil.example/cb')).toEqual({ sendsTo: 'evil.example', claims: 'bank.example' });
    expect(selfRegisteredHost({ registrationMethod: 'dynamic', clientId: 'abc', clientUri: null }, null)).toEqual({ sendsTo: null, claims: null });
    expect(selfRegisteredHost({ registrationMethod: 'form', clientId: 'abc', clientUri: 'https://x.example/' }, 'https://x.example/cb')).toBeNull();
  });
});
