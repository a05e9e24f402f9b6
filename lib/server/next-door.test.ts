import { describe, expect, it } from 'vitest';
import { toOAuthRequest } from './next-door';
import { CLIENT_IP_HEADER, trustClientIpHeader } from '../http/client-ip';

describe('the Next.js door (App Router route handlers under plain `next start`)', () => {
  const forged = () => new Request('http://evil.example/o/token/?a=1', { method: 'POST', headers: { [CLIENT_IP_HEADER]: '203.0.113.9', host: 'evil.example' } });

  it('OWASP (untrusted headers): a client-sent x-oauth-client-ip never picks the client IP without the front door; the URL is under ISSUER, not the Host', () => {
    const req = toOAuthRequest(forged(), 'grant_type=x', 'https://auth.example.org');
    expect(req.ip).toBe('unknown');
    expect(req.url.href).toBe('https://auth.example.org/o/token/?a=1');
    expect(req.body).toBe('grant_type=x');
  });

  it('the header is read only once a front door in this process overwrites it on every request', () => {
    trustClientIpHeader(); // what createFrontDoor does (lib/server/front-door.ts setClientIp)
    expect(toOAuthRequest(forged(), '', 'https://auth.example.org').ip).toBe('203.0.113.9');
  });
});
