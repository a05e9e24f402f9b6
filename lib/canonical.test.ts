// canonicalUsername (lib/canonical.ts): the one spelling of a username that the user lookup, the
// unique index, the rate-limit keys and the audit labels all use.
import { describe, expect, it } from 'vitest';
import { canonicalOrigin, canonicalUri, canonicalUsername as c } from './canonical';

const SAMPLES = ['alice', 'ALICE', '\uFF21\uFF2C\uFF29\uFF23\uFF25', 'al\u0130ce', 'stra\u00DFe', 'STRA\u1E9EE', 'alice\u0301', 'ali\u0307ce', '\u212Aelvin', '\uFB01sh', ' Bob '];

describe('canonicalUsername (Unicode UAX #15 NFKC + case folding)', () => {
  it('folds case and full-width letters: ALICE, ＡＬＩＣＥ and ａｌｉｃｅ are alice', () => {
    expect(c('ALICE')).toBe('alice');
    expect(c('\uFF21\uFF2C\uFF29\uFF23\uFF25')).toBe('alice');
    expect(c('\uFF41\uFF4C\uFF49\uFF43\uFF45')).toBe('alice');
    expect(c('  alice\t')).toBe('alice');
  });

  it('keeps İ (U+0130) apart from i: alİce is not alice, but is the same as ALİCE and ali\u0307ce', () => {
    expect(c('al\u0130ce')).not.toBe('alice');
    expect(c('al\u0130ce')).toBe('ali\u0307ce');
    expect(c('AL\u0130CE')).toBe(c('al\u0130ce'));
    expect(c('al\u0131ce')).not.toBe('alice'); // dotless ı
  });

  it('folds ẞ (U+1E9E) to ß, and keeps ß apart from ss', () => {
    expect(c('\u1E9E')).toBe('\u00DF');
    expect(c('STRA\u1E9EE')).toBe(c('stra\u00DFe'));
    expect(c('stra\u00DFe')).not.toBe(c('strasse'));
  });

  it('composes combining marks: alice + U+0301 is alicé (one spelling), not alice', () => {
    expect(c('alice\u0301')).toBe('alic\u00E9');
    expect(c('ALICE\u0301')).toBe(c('alic\u00E9'));
    expect(c('alice\u0301')).not.toBe('alice');
  });

  it('folds compatibility characters: the Kelvin sign is k, the ﬁ ligature is fi', () => {
    expect(c('\u212Aelvin')).toBe('kelvin');
    expect(c('\uFB01sh')).toBe('fish');
  });

  it('is idempotent, so a stored canonical form canonicalizes to itself', () => {
    for (const s of SAMPLES) expect(c(c(s)), s).toBe(c(s));
  });

  it('changes nothing in a lower-case ASCII username (the sign-up alphabet), so the migration backfill agrees', () => {
    for (const s of ['alice', 'bob.smith', 'carol+test@example.com', 'dave_99-x']) expect(c(s)).toBe(s);
  });
});

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
