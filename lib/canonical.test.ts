// canonicalUsername (lib/canonical.ts): the one spelling of a username that the user lookup, the
// unique index, the rate-limit keys and the audit labels all use.
import { describe, expect, it } from 'vitest';
import { canonicalUsername as c } from './canonical';

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
