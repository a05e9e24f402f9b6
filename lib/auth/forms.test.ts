// The sign-up form's username rule (lib/auth/forms.ts), shared by /accounts/signup/ and
// createsuperuser, against canonicalUsername (lib/canonical.ts), which makes names unique.
import { describe, expect, it } from 'vitest';
import { signupSchema } from './forms';
import { canonicalUsername } from '../canonical';

const signup = (username: string) => signupSchema.safeParse({ username, email: 'a@example.com', password: 'long enough', password2: 'long enough' });

describe('sign-up usernames and canonicalUsername', () => {
  it('refuses look-alikes outside the ASCII sign-up alphabet: ＡＬＩＣＥ, alİce, alıce, alice + U+0301, straße', () => {
    for (const name of ['\uFF21\uFF2C\uFF29\uFF23\uFF25', 'al\u0130ce', 'al\u0131ce', 'alice\u0301', 'stra\u00DFe']) {
      const r = signup(name);
      expect(r.success, name).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(['username']);
    }
  });

  it('accepts the sign-up alphabet, where the canonical form is plain lower case (what the migration backfilled)', () => {
    const all = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.@+-';
    const r = signup(all);
    expect(r.success).toBe(true);
    expect(canonicalUsername(all)).toBe(all.toLowerCase());
    expect(r.data?.username).toBe(all);
    expect(signup('  Bob.Smith ').data?.username).toBe('Bob.Smith');
  });
});
