import { describe, expect, it } from 'vitest';
import { canonicalOrigin, canonicalUri } from './canonical';

describe('canonicalOrigin (RFC 6454 §6.2: the serialization a browser sends in Origin)', () => {
  it('RFC 6454 §4: lower-cases the scheme and the host', () => {
    expect(canonicalOrigin('https://SPA.Example.org')).toBe('https://spa.example.org');
    expect(canonicalOrigin('HTTPS://APP.EXAMPLE')).toBe('https://app.example');
    expect(canonicalOrigin('Http://LocalHost:3000')).toBe('http://localhost:3000');
  });

  it('RFC 6454 §6.2: drops the default port of the scheme, keeps any other, without leading zeros', () => {
    expect(canonicalOrigin('https://spa2.example.org:443')).toBe('https://spa2.example.org');
    expect(canonicalOrigin('http://localhost:80')).toBe('http://localhost');
    expect(canonicalOrigin('https://a.example:0443')).toBe('https://a.example');
    expect(canonicalOrigin('https://a.example:80')).toBe('https://a.example:80');
    expect(canonicalOrigin('http://a.example:443')).toBe('http://a.example:443');
    expect(canonicalOrigin('http://127.0.0.1:05173')).toBe('http://127.0.0.1:5173');
    expect(canonicalOrigin('https://[::1]:443')).toBe('https://[::1]');
    expect(canonicalOrigin('http://[::1]:8080')).toBe('http://[::1]:8080');
  });

  it('RFC 6454 §4 / RFC 5890: an internationalized host becomes its punycode (A-label) form', () => {
    expect(canonicalOrigin('https://bücher.example')).toBe('https://xn--bcher-kva.example');
    expect(canonicalOrigin('https://BÜCHER.example:443')).toBe('https://xn--bcher-kva.example');
    expect(canonicalOrigin('https://xn--bcher-kva.example')).toBe('https://xn--bcher-kva.example');
  });

  it('leaves a canonical origin unchanged (idempotent)', () => {
    for (const o of ['https://spa.example.org', 'http://localhost:3000', 'https://xn--bcher-kva.example', 'http://[::1]:8080', 'https://a.example:8443']) {
      expect(canonicalOrigin(o)).toBe(o);
      expect(canonicalOrigin(canonicalOrigin(o)!)).toBe(o);
    }
  });

  it('returns null for anything that is not a bare http(s) origin', () => {
    for (const o of [
      '',
      'null',
      '*',
      'spa.example.org',
      'https://spa.example.org/',
      'https://spa.example.org/app',
      'https://spa.example.org?x',
      'https://spa.example.org#x',
      'https://u@spa.example.org',
      'http://localhost@evil.example',
      'https://spa.example.org:',
      'https://spa.example.org:99999',
      'ftp://spa.example.org',
      'chrome-extension://abcdef',
      'https://*.example.org',
      'https://ex%61mple.org',
      ' https://spa.example.org',
      'https://spa.example.org\n',
      'https://spa.example.org\\',
    ]) {
      expect(canonicalOrigin(o), JSON.stringify(o)).toBeNull();
    }
  });
});

describe('canonicalUri (the one spelling a redirect URI is stored in; RFC 3986 §6.2.2-6.2.3)', () => {
  it('leaves canonical URIs unchanged', () => {
    for (const u of [
      'https://www.getpostman.com/oauth2/callback',
      'http://127.0.0.1:8080/cb',
      'http://[::1]:9000/cb',
      'https://app.example/cb?x=1',
      'com.example.app:/oauth2redirect',
      'https://app.example/cb%7E',
    ]) {
      expect(canonicalUri(u), u).toBe(u);
    }
  });

  it('lower-cases scheme and host, drops default ports, adds the empty path "/", removes dot segments, uses punycode', () => {
    expect(canonicalUri('HTTPS://App.Example:443/cb')).toBe('https://app.example/cb');
    expect(canonicalUri('http://localhost:80/cb')).toBe('http://localhost/cb');
    expect(canonicalUri('https://app.example')).toBe('https://app.example/');
    expect(canonicalUri('https://app.example/a/../cb')).toBe('https://app.example/cb');
    expect(canonicalUri('https://bücher.example/cb')).toBe('https://xn--bcher-kva.example/cb');
    expect(canonicalUri('Com.Example.App:/cb')).toBe('com.example.app:/cb');
  });

  it('returns null for what is not an absolute URI', () => {
    for (const u of ['', '/cb', 'cb', 'https://', 'http://[::1']) expect(canonicalUri(u), u).toBeNull();
  });
});
