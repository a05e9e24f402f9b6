import { describe, expect, it } from 'vitest';
import { protectedResourceMetadata, protectedResourceMetadataUrl, resourceMetadataParam } from './protected-resource';

describe('protected resource metadata (RFC 9728)', () => {
  it('RFC 9728 §3.1: the well-known suffix goes between the host and the path, a terminating slash after the host is removed, the query is kept', () => {
    expect(protectedResourceMetadataUrl('https://rs.example/api')).toBe('https://rs.example/.well-known/oauth-protected-resource/api');
    expect(protectedResourceMetadataUrl('https://rs.example/')).toBe('https://rs.example/.well-known/oauth-protected-resource');
    expect(protectedResourceMetadataUrl('https://rs.example')).toBe('https://rs.example/.well-known/oauth-protected-resource');
    expect(protectedResourceMetadataUrl('http://127.0.0.1:8510/mcp/')).toBe('http://127.0.0.1:8510/.well-known/oauth-protected-resource/mcp/');
    expect(protectedResourceMetadataUrl('https://rs.example:8443/a/b?tenant=1')).toBe('https://rs.example:8443/.well-known/oauth-protected-resource/a/b?tenant=1');
  });

  it('RFC 9728 §1.2: a resource identifier with a fragment, or not an absolute URL, is refused', () => {
    expect(() => protectedResourceMetadataUrl('https://rs.example/api#x')).toThrow(TypeError);
    expect(() => protectedResourceMetadataUrl('https://rs.example/api#')).toThrow(TypeError);
    expect(() => protectedResourceMetadataUrl('/api')).toThrow(TypeError);
  });

  it('RFC 9728 §2: the document has resource, authorization_servers, scopes_supported, bearer_methods_supported (header only) and resource_name when named', () => {
    const r = { identifier: 'https://rs.example/api', authorizationServers: ['https://as.example'], scopes: ['read', 'write'] };
    expect(protectedResourceMetadata({ ...r, name: 'API' })).toEqual({
      resource: 'https://rs.example/api',
      authorization_servers: ['https://as.example'],
      scopes_supported: ['read', 'write'],
      bearer_methods_supported: ['header'],
      resource_name: 'API',
    });
    expect(protectedResourceMetadata(r)).not.toHaveProperty('resource_name');
  });

  it('RFC 9728 §5.1: the resource_metadata auth-param is the metadata URL as a quoted-string', () => {
    expect(resourceMetadataParam('https://rs.example/.well-known/oauth-protected-resource/api')).toBe('resource_metadata="https://rs.example/.well-known/oauth-protected-resource/api"');
  });
});
