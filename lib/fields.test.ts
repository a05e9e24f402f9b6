import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { controlCharPath, emailAddress, filterText, hasControlChars, isUuid, multiLineText, ownEntry, parseRowId, singleLineText, visibleText } from './fields';

describe('lib/fields.ts: the shared field rules', () => {
  it('OWASP Input Validation: no single-line field accepts a C0 control character or DEL (PostgreSQL text holds no NUL)', () => {
    const line = singleLineText({ max: 100 });
    for (let c = 0; c < 0x20; c++) {
      const v = `a${String.fromCharCode(c)}b`;
      expect(line.safeParse(v).success, `U+${c.toString(16).padStart(4, '0')}`).toBe(false);
    }
    expect(line.safeParse('a\x7fb').success).toBe(false);
    expect(line.safeParse('  Zoë’s app ✓  ').data).toBe('Zoë’s app ✓');
  });

  it('OWASP Input Validation: a block of text keeps tabs and line breaks and refuses NUL and the other controls', () => {
    const block = multiLineText({ max: 100 });
    expect(block.safeParse('one\r\ntwo\tthree').success).toBe(true);
    expect(block.safeParse('one\u0000two').success).toBe(false);
    expect(block.safeParse('one\u001btwo').success).toBe(false);
  });

  it('length limits hold after trimming, and name the limit', () => {
    const r = singleLineText({ max: 3 }).safeParse('abcd');
    expect(r.error?.issues[0]?.message).toBe('At most 3 characters.');
    expect(singleLineText({ max: 3 }).safeParse('  abc  ').success).toBe(true);
    expect(singleLineText({ max: 10, min: 1, minMessage: 'Enter a name.' }).safeParse('   ').error?.issues[0]?.message).toBe('Enter a name.');
  });

  it('an email address is one line around one @: NUL, spaces and a missing @ are refused', () => {
    const email = emailAddress();
    expect(email.safeParse(' ada@example.org ').data).toBe('ada@example.org');
    for (const bad of ['a\u0000@example.org', 'ada@exa mple.org', 'ada.example.org', 'a@b@c', `${'a'.repeat(250)}@b.cd`]) expect(email.safeParse(bad).success, bad).toBe(false);
  });

  it('RFC 9562 §4: a user id is a uuid in 8-4-4-4-12 hexadecimal form, so 36 dashes are not one', () => {
    expect(isUuid('0b7f6a1e-3c2d-4e5f-8a9b-0c1d2e3f4a5b')).toBe(true);
    expect(isUuid('-'.repeat(36))).toBe(false);
    expect(isUuid('0b7f6a1e3c2d4e5f8a9b0c1d2e3f4a5b----')).toBe(false);
  });

  it('a row id is a positive integer JavaScript holds exactly; anything else is no id', () => {
    expect(parseRowId('42')).toBe(42);
    expect(parseRowId(42)).toBe(42);
    for (const bad of ['0', '042', '-1', '1e3', '9999999999999999', '99999999999999999', ' 1', '1.0', '', null, undefined, {}, 1.5, 0, -3]) expect(parseRowId(bad), String(bad)).toBeNull();
  });

  it('a filter is optional: absent means no filter; a refused one carries its message', () => {
    expect(filterText(10).parse(undefined)).toBe('');
    expect(filterText(10).safeParse('a\u0000').error?.issues[0]?.message).toMatch(/control characters/);
  });

  it('ownEntry: an input naming a property of Object (constructor, __proto__, toString) names no entry', () => {
    const table = { saved: 1 };
    expect(ownEntry(table, 'saved')).toBe(1);
    for (const k of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', ['saved'], 1]) expect(ownEntry(table, k), String(k)).toBeUndefined();
  });

  it('property: no string accepted by a single-line field holds a control character, and every refusal has a message', () => {
    const line = singleLineText({ max: 50 });
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        const r = line.safeParse(s);
        if (r.success) expect(hasControlChars(r.data)).toBe(false);
        else expect(r.error.issues[0]?.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('visibleText shows a control character as U+FFFD and keeps line breaks', () => {
    expect(visibleText('a\u0000b\nc')).toBe('a\uFFFDb\nc');
  });

  it('one text rule: bidirectional overrides and isolates (U+202E, U+2066…) and C1 controls count as control characters; controlCharPath finds them in JSON', () => {
    for (const ch of ['\u202e', '\u202a', '\u2066', '\u2069', '\u0085', '\u0000']) expect(hasControlChars(`a${ch}b`)).toBe(true);
    expect(hasControlChars('Café – ünïcode ✓')).toBe(false);
    expect(singleLineText({ max: 50 }).safeParse('evil\u202egnp.exe').success).toBe(false);
    expect(controlCharPath({ client_name: 'ok', redirect_uris: ['https://a.example/', 'https://b\u202e.example/'] })).toBe('redirect_uris.1');
    expect(controlCharPath({ client_name: 'a\u0000' })).toBe('client_name');
    expect(controlCharPath({ client_name: 'ok', n: 1, x: null })).toBeNull();
  });
});
