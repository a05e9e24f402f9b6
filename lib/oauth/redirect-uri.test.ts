import { describe, it, expect } from 'vitest';
import {
  checkAllowedOriginForRegistration,
  checkRedirectUriForRegistration,
  isLoopbackHost,
  matchRedirectUri,
  parseUriList,
} from './redirect-uri';

describe('parseUriList', () => {
  it('splits on spaces and newlines, dropping empties and duplicates', () => {
    expect(parseUriList('https://a.example/cb\nhttps://b.example/cb  https://a.example/cb\r\n\t')).toEqual([
      'https://a.example/cb',
      'https://b.example/cb',
    ]);
  });

  it('returns an empty list for null, undefined and blank input', () => {
    expect(parseUriList(null)).toEqual([]);
    expect(parseUriList(undefined)).toEqual([]);
    expect(parseUriList(' \n ')).toEqual([]);
  });
});

describe('isLoopbackHost', () => {
  it('accepts 127.0.0.1 and the rest of 127.0.0.0/8', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.255.255.254')).toBe(true);
  });

  it('accepts ::1 with or without brackets, and localhost in any case', () => {
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('LocalHost')).toBe(true);
  });

  it('rejects look-alikes and non-loopback hosts', () => {
    for (const h of [
      '128.0.0.1',
      '127.0.0.256',
      '127.0.0.01',
      '127.1',
      '127.0.0.1.evil.com',
      'localhost.evil.com',
      'evil-localhost',
      'foo.localhost',
      '0.0.0.0',
      '::',
      '[::2]',
      'example.com',
      '',
    ]) {
      expect(isLoopbackHost(h), h).toBe(false);
    }
  });
});

describe('checkRedirectUriForRegistration', () => {
  it('accepts https URIs, with or without port and query (RFC 6749 §3.1.2)', () => {
    for (const u of [
      'https://client.example.com/cb',
      'https://client.example.com:8443/oauth/callback?tenant=1',
      'https://client.example.com',
    ]) {
      expect(checkRedirectUriForRegistration(u), u).toBeNull();
    }
  });

  it('accepts http only on loopback hosts (RFC 8252 §7.3, RFC 9700 §2.1)', () => {
    for (const u of ['http://127.0.0.1/cb', 'http://127.0.0.1:8080/cb', 'http://[::1]/cb', 'http://localhost:3000/cb']) {
      expect(checkRedirectUriForRegistration(u), u).toBeNull();
    }
  });

  it('rejects plain http on a non-loopback host (RFC 9700 §2.1)', () => {
    const err = checkRedirectUriForRegistration('http://client.example.com/cb');
    expect(err).toContain('must use https');
    expect(err).toContain('http://client.example.com/cb');
    // Alternative IPv4 spellings are not treated as loopback.
    expect(checkRedirectUriForRegistration('http://127.1/cb')).toContain('must use https');
    expect(checkRedirectUriForRegistration('http://0x7f.0.0.1/cb')).toContain('must use https');
    expect(checkRedirectUriForRegistration('http://localhost.evil.com/cb')).toContain('must use https');
  });

  it('accepts a reverse-domain private-use scheme for native apps (RFC 8252 §7: native redirect URIs; §7.1)', () => {
    expect(checkRedirectUriForRegistration('com.example.app:/oauth2redirect/example-provider')).toBeNull();
    expect(checkRedirectUriForRegistration('com.example.app://callback')).toBeNull();
  });

  it('rejects a private-use scheme that is not reverse-domain style (RFC 8252 §7.1)', () => {
    expect(checkRedirectUriForRegistration('myapp:/cb')).toContain('not allowed');
    expect(checkRedirectUriForRegistration('com.example.app:')).not.toBeNull();
  });

  it('rejects a redirect URI with a fragment, even an empty one (RFC 6749 §3.1.2)', () => {
    const err = checkRedirectUriForRegistration('https://client.example.com/cb#');
    expect(err).toBe("Redirect URI must not contain a fragment (#…): 'https://client.example.com/cb#'");
    expect(checkRedirectUriForRegistration('https://client.example.com/cb#x')).toContain('fragment');
    expect(checkRedirectUriForRegistration('com.example.app:/cb#x')).toContain('fragment');
  });

  it('rejects userinfo in the authority (CVE-2024-8883 style)', () => {
    for (const u of [
      'http://localhost@evil.com/',
      'https://user:pw@x.com/cb',
      'https://@x.com/cb',
      'com.example.app://user@host/cb',
    ]) {
      expect(checkRedirectUriForRegistration(u), u).toContain('userinfo');
    }
  });

  it('RFC 3986 §3.2: the authority ends at the first "/", so "@" in the path is not userinfo', () => {
    expect(checkRedirectUriForRegistration('https://x.com/cb/@me')).toBeNull();
  });

  it('rejects dangerous schemes', () => {
    for (const u of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'vbscript:msgbox(1)',
      'ftp://ftp.example.com/cb',
    ]) {
      expect(checkRedirectUriForRegistration(u), u).toMatch(/scheme "[a-z]+:" is not allowed/);
    }
  });

  it('rejects relative URIs (RFC 6749 §3.1.2: MUST be an absolute URI)', () => {
    for (const u of ['/cb', '//evil.com/cb', 'client.example.com/cb', '']) {
      expect(checkRedirectUriForRegistration(u), u).not.toBeNull();
    }
  });

  it('rejects https without the "//" authority form', () => {
    expect(checkRedirectUriForRegistration('https:client.example.com/cb')).toContain('https://host/path');
    expect(checkRedirectUriForRegistration('https:///cb')).not.toBeNull();
  });

  it('rejects backslashes, whitespace and control characters', () => {
    for (const u of [
      'https://x.com\\@evil.com/',
      'https://x.com/c b',
      ' https://x.com/cb',
      'https://x.com/cb\n',
      'https://x.com/\u0000',
      'https://x.com/é',
    ]) {
      expect(checkRedirectUriForRegistration(u), JSON.stringify(u)).not.toBeNull();
    }
  });

  it('rejects URIs that do not parse', () => {
    expect(checkRedirectUriForRegistration('https://x.com:99999/cb')).toContain('not a valid URI');
    expect(checkRedirectUriForRegistration('http://localhost:abc/cb')).toContain('not a valid URI');
  });
});

describe('checkAllowedOriginForRegistration', () => {
  it('accepts https origins, with or without port', () => {
    expect(checkAllowedOriginForRegistration('https://app.example.com')).toBeNull();
    expect(checkAllowedOriginForRegistration('https://app.example.com:8443')).toBeNull();
  });

  it('accepts http only for loopback hosts', () => {
    expect(checkAllowedOriginForRegistration('http://localhost:3000')).toBeNull();
    expect(checkAllowedOriginForRegistration('http://127.0.0.1:5173')).toBeNull();
    expect(checkAllowedOriginForRegistration('http://[::1]:8080')).toBeNull();
    expect(checkAllowedOriginForRegistration('http://app.example.com')).toContain('must use https');
  });

  it('refuses a path, even a bare trailing slash (RFC 6454 §6.2 serialization)', () => {
    expect(checkAllowedOriginForRegistration('https://app.example.com/')).toContain('path');
    expect(checkAllowedOriginForRegistration('https://app.example.com/app')).toContain('path');
  });

  it('refuses query, fragment and userinfo', () => {
    expect(checkAllowedOriginForRegistration('https://app.example.com?x=1')).toContain('query');
    expect(checkAllowedOriginForRegistration('https://app.example.com#')).toContain('fragment');
    expect(checkAllowedOriginForRegistration('https://u:p@app.example.com')).toContain('userinfo');
    expect(checkAllowedOriginForRegistration('http://localhost@evil.com')).toContain('userinfo');
  });

  it('refuses other schemes, wildcards and malformed origins', () => {
    for (const o of [
      '',
      '*',
      'null',
      'app.example.com',
      'ftp://app.example.com',
      'com.example.app://x',
      'https://*.example.com',
      'https://app.example.com:',
      'https://app.example.com:99999',
      'https:app.example.com',
      'https://app.example.com\\',
      ' https://app.example.com',
    ]) {
      expect(checkAllowedOriginForRegistration(o), JSON.stringify(o)).not.toBeNull();
    }
  });
});

describe('matchRedirectUri', () => {
  const registered = ['https://client.example.com/cb', 'https://client.example.com/other?x=1'];

  it('returns the registered URI on an exact match (RFC 9700 §4.1.3)', () => {
    expect(matchRedirectUri(registered, 'https://client.example.com/cb')).toBe('https://client.example.com/cb');
    expect(matchRedirectUri(registered, 'https://client.example.com/other?x=1')).toBe(
      'https://client.example.com/other?x=1',
    );
  });

  it('returns null when nothing is registered or the URI is empty', () => {
    expect(matchRedirectUri([], 'https://client.example.com/cb')).toBeNull();
    expect(matchRedirectUri(registered, '')).toBeNull();
  });

  describe('regressions from the django-oauth-toolkit 3.4.1 advisory (RFC 9700 §4.1.3 exact matching)', () => {
    it.each([
      ['an extra query parameter', 'https://client.example.com/cb?evil=1'],
      ['an extra parameter on an existing query', 'https://client.example.com/other?x=1&y=2'],
      ['a ;params path suffix', 'https://client.example.com/cb;evil'],
      ['userinfo', 'https://attacker@client.example.com/cb'],
      ['userinfo with password', 'https://a:b@client.example.com/cb'],
      ['a fragment', 'https://client.example.com/cb#frag'],
      ['an empty fragment', 'https://client.example.com/cb#'],
      ['a different case in the path', 'https://client.example.com/CB'],
      ['a different case in the host', 'https://Client.Example.com/cb'],
      ['a trailing slash', 'https://client.example.com/cb/'],
      ['a ".." path segment', 'https://client.example.com/x/../cb'],
      ['a "." path segment', 'https://client.example.com/./cb'],
      ['percent-encoding of an unreserved character', 'https://client.example.com/%63b'],
      ['an explicit default port', 'https://client.example.com:443/cb'],
      ['a different scheme', 'http://client.example.com/cb'],
      ['a backslash authority trick', 'https://client.example.com\\@evil.com/cb'],
      ['a path prefix extension', 'https://client.example.com/cb/../../evil'],
      ['a subdomain', 'https://evil.client.example.com/cb'],
      ['surrounding whitespace', ' https://client.example.com/cb'],
    ])('rejects %s', (_label, requested) => {
      expect(matchRedirectUri(registered, requested)).toBeNull();
    });
  });

  it('does not let http://localhost@evil.example/ match http://localhost/ (Keycloak CVE-2024-8883)', () => {
    expect(matchRedirectUri(['http://localhost/'], 'http://localhost@evil.example/')).toBeNull();
    expect(matchRedirectUri(['http://localhost'], 'http://localhost@evil.example')).toBeNull();
  });

  it('never matches a requested URI with a fragment or userinfo, even if such a URI was registered', () => {
    expect(matchRedirectUri(['https://x.com/cb#a'], 'https://x.com/cb#a')).toBeNull();
    expect(matchRedirectUri(['https://u@x.com/cb'], 'https://u@x.com/cb')).toBeNull();
  });

  describe('loopback IP literals with any port (RFC 8252 §7.3)', () => {
    it('allows any port for a registered http://127.0.0.1 URI', () => {
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:51004/cb')).toBe('http://127.0.0.1/cb');
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:1/cb')).toBe('http://127.0.0.1/cb');
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:65535/cb')).toBe('http://127.0.0.1/cb');
    });

    it('allows any port for a registered http://[::1] URI', () => {
      expect(matchRedirectUri(['http://[::1]/cb'], 'http://[::1]:8080/cb')).toBe('http://[::1]/cb');
    });

    it('allows a different port than the registered one, or none', () => {
      expect(matchRedirectUri(['http://127.0.0.1:8080/cb'], 'http://127.0.0.1:9090/cb')).toBe(
        'http://127.0.0.1:8080/cb',
      );
      expect(matchRedirectUri(['http://127.0.0.1:8080/cb'], 'http://127.0.0.1/cb')).toBe('http://127.0.0.1:8080/cb');
    });

    it('keeps path and query exact when relaxing the port', () => {
      expect(matchRedirectUri(['http://127.0.0.1/cb?a=1'], 'http://127.0.0.1:5000/cb?a=1')).toBe(
        'http://127.0.0.1/cb?a=1',
      );
      expect(matchRedirectUri(['http://127.0.0.1/cb?a=1'], 'http://127.0.0.1:5000/cb?a=2')).toBeNull();
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:5000/cb?a=1')).toBeNull();
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:5000/cb/')).toBeNull();
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:5000/CB')).toBeNull();
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:5000/x/../cb')).toBeNull();
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:5000/cb;x')).toBeNull();
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:5000/%63b')).toBeNull();
    });

    it('keeps the host exact: 127.0.0.1 and [::1] do not match each other', () => {
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://[::1]:5000/cb')).toBeNull();
      expect(matchRedirectUri(['http://[::1]/cb'], 'http://127.0.0.1:5000/cb')).toBeNull();
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.2:5000/cb')).toBeNull();
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://127.1:5000/cb')).toBeNull();
    });

    it('does not relax the port for https loopback URIs (scheme must match exactly)', () => {
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'https://127.0.0.1:5000/cb')).toBeNull();
      expect(matchRedirectUri(['https://127.0.0.1/cb'], 'https://127.0.0.1:5000/cb')).toBeNull();
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'HTTP://127.0.0.1:5000/cb')).toBeNull();
    });

    it('does not relax the port for localhost (RFC 8252 §8.3: loopback IP literal, not localhost)', () => {
      expect(matchRedirectUri(['http://localhost/cb'], 'http://localhost:5000/cb')).toBeNull();
      expect(matchRedirectUri(['http://localhost:3000/cb'], 'http://localhost:3000/cb')).toBe(
        'http://localhost:3000/cb',
      );
    });

    it('rejects userinfo smuggled after the port: http://127.0.0.1:5000@evil.com/cb', () => {
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:5000@evil.com/cb')).toBeNull();
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://user@127.0.0.1:5000/cb')).toBeNull();
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:5000\\@evil.com/cb')).toBeNull();
      expect(matchRedirectUri(['http://[::1]/cb'], 'http://[::1]:5000@evil.com/cb')).toBeNull();
    });

    it('rejects a fragment in the relaxed path', () => {
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:5000/cb#x')).toBeNull();
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:5000/cb#')).toBeNull();
    });

    it('rejects invalid ports', () => {
      for (const p of ['0', '65536', '99999', '080', '']) {
        expect(matchRedirectUri(['http://127.0.0.1/cb'], `http://127.0.0.1:${p}/cb`), p).toBeNull();
      }
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:12ab/cb')).toBeNull();
    });

    it('does not treat a path-less registration as a prefix', () => {
      expect(matchRedirectUri(['http://127.0.0.1'], 'http://127.0.0.1:5000')).toBe('http://127.0.0.1');
      expect(matchRedirectUri(['http://127.0.0.1'], 'http://127.0.0.1:5000/')).toBeNull();
      expect(matchRedirectUri(['http://127.0.0.1'], 'http://127.0.0.1:5000/evil')).toBeNull();
    });
  });
});
