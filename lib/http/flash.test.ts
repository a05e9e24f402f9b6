import { describe, expect, it } from 'vitest';
import { FLASH_MAX_AGE_SECONDS, openFlash, sealFlash } from './flash';

const SECRET = 'a'.repeat(40);
const AT = { path: '/o/applications/', userId: 'u1' };
const NOW = 1_800_000_000_000;

describe('flash notices (lib/http/flash.ts)', () => {
  it('a sealed notice opens on its page, for its user, with its name and count', () => {
    const v = sealFlash({ code: 'app_deleted', arg: 'Postman <b>', n: 3 }, AT, SECRET, NOW);
    expect(openFlash(v, AT, SECRET, NOW + 1000)).toEqual({ code: 'app_deleted', arg: 'Postman <b>', n: 3 });
  });

  it('a notice is for one page and one user: another path or user reads nothing', () => {
    const v = sealFlash({ code: 'saved' }, AT, SECRET, NOW);
    expect(openFlash(v, { ...AT, path: '/o/applications/1/' }, SECRET, NOW)).toBeNull();
    expect(openFlash(v, { ...AT, userId: 'u2' }, SECRET, NOW)).toBeNull();
    expect(openFlash(v, { ...AT, userId: null }, SECRET, NOW)).toBeNull();
    const loggedOut = sealFlash({ code: 'logged_out' }, { path: '/accounts/logout/', userId: null }, SECRET, NOW);
    expect(openFlash(loggedOut, { path: '/accounts/logout/', userId: null }, SECRET, NOW)).toEqual({ code: 'logged_out' });
  });

  it(`a notice expires after ${FLASH_MAX_AGE_SECONDS} seconds`, () => {
    const v = sealFlash({ code: 'saved' }, AT, SECRET, NOW);
    expect(openFlash(v, AT, SECRET, NOW + FLASH_MAX_AGE_SECONDS * 1000)).not.toBeNull();
    expect(openFlash(v, AT, SECRET, NOW + (FLASH_MAX_AGE_SECONDS + 1) * 1000)).toBeNull();
  });

  it('a forged or altered value is ignored: another secret, a changed body, garbage', () => {
    const v = sealFlash({ code: 'app_deleted', arg: 'Postman' }, AT, SECRET, NOW);
    expect(openFlash(v, AT, 'b'.repeat(40), NOW)).toBeNull();
    const [body, mac] = v.split('.');
    const json = JSON.parse(Buffer.from(body, 'base64url').toString());
    const altered = Buffer.from(JSON.stringify({ ...json, a: 'Call 555-0100 now' })).toString('base64url');
    expect(openFlash(`${altered}.${mac}`, AT, SECRET, NOW)).toBeNull();
    for (const junk of [undefined, '', '.', 'abc', `${body}.`, `.${mac}`, 'x'.repeat(5000)]) expect(openFlash(junk, AT, SECRET, NOW)).toBeNull();
  });
});
