// consentGroups: the requested scopes as the consent screen and the device approval page show them.
import { describe, expect, it } from 'vitest';
import { consentGroups, type Resource } from './resources';

const resource = (id: number, identifier: string, name: string, scopes: [string, string][]): Resource => ({
  id,
  identifier,
  name,
  scopes: scopes.map(([n, description]) => ({ name: n, description })),
  accessTokenFormat: 'opaque',
  accessTokenLifetimeSeconds: null,
  builtIn: false,
});
const billing = resource(2, 'https://billing.example/', 'Billing', [['invoices', 'See your invoices']]);
const mcp = resource(3, 'https://mcp.example/mcp', 'MCP tools', [['mcp:tools', 'Use the tools']]);

describe('consentGroups', () => {
  it('RFC 8707 §2: groups the scopes by requested resource (name, host), each with its sentence; OIDC scopes last, openid required', () => {
    const groups = consentGroups(['openid', 'mcp:tools', 'invoices'], [billing.identifier, mcp.identifier], [billing, mcp]);
    expect(groups.map((g) => [g.title, g.host, g.scopes.map((s) => [s.name, s.description, s.required])])).toEqual([
      ['Billing', 'billing.example', [['invoices', 'See your invoices', false]]],
      ['MCP tools', 'mcp.example', [['mcp:tools', 'Use the tools', false]]],
      ['Your identity', null, [['openid', expect.any(String), true]]],
    ]);
  });

  it('RFC 8707 §2: the scopes of a resource removed since the request go to "Other permissions", which names its host', () => {
    const groups = consentGroups(['invoices', 'gone:read'], [billing.identifier, 'https://gone.example/api'], [billing]);
    expect(groups.map((g) => [g.title, g.host, g.scopes.map((s) => s.name)])).toEqual([
      ['Billing', 'billing.example', ['invoices']],
      ['Other permissions', 'gone.example', ['gone:read']],
    ]);
  });
});
